// The "Need urgent help?" panel: crisis resources for the visitor's country,
// served by the project from bot/safety/crisis_resources.yml.
import { h } from "./dom.js";
import { TEXT } from "./text.js";

/** Fill `container` with what to do in an emergency; works before (and without) the fetch. */
export async function showCrisisResources(container, assetBase, country) {
  container.replaceChildren(...fallback());
  const url = new URL("crisis-resources.json", assetBase);
  if (country) url.searchParams.set("country", country);
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) return;
    container.replaceChildren(...resources(await response.json()));
  } catch {
    // offline or blocked: the generic advice stays
  }
}

function fallback() {
  return [h("h3", {}, TEXT.urgentHeading), h("p", {}, TEXT.localEmergency), h("p", {}, TEXT.notEmergency)];
}

function resources({ country, emergency, lines, last_checked: lastChecked }) {
  const items = (Array.isArray(lines) ? lines : []).map((line) =>
    h("li", {}, h("strong", {}, String(line.name)), ": ", String(line.how)),
  );
  const call = h("a", { href: `tel:${emergency}` }, String(emergency));
  return [
    h("h3", {}, TEXT.urgentHeading),
    country
      ? h("p", {}, TEXT.emergencyBefore, call, TEXT.emergencyAfter)
      : h("p", {}, TEXT.localEmergencyBefore, call, TEXT.localEmergencyAfter),
    items.length ? h("ul", {}, ...items) : null,
    h("p", {}, TEXT.notEmergency),
    lastChecked ? h("p", { class: "small" }, TEXT.checked + lastChecked) : null,
  ];
}
