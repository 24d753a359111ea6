"""The group catalog: records, importers and the upsert that stores them."""
