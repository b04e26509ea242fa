// The shot browser: search or list shots, open a title's timeline and contact sheets, play a shot with its
// subtitles. Everything comes from the read-only API beside it; no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const grid = $("grid");

async function api(path) {
  const response = await fetch(path, { credentials: "same-origin" });
  if (response.status === 401) {
    // The server wants MEDIA_LAKE_API_TOKEN: kept as a cookie, which pictures and video send too.
    const token = prompt("This lake needs its API token");
    if (token) {
      document.cookie = `media_lake_token=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
      return api(path);
    }
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

const media = (key) => "/media/" + key.split("/").map(encodeURIComponent).join("/");
const shotPath = (s) =>
  `/api/titles/${encodeURIComponent(s.title_id)}/shots/${encodeURIComponent(s.source_id)}/${s.shot_index}`;
const seconds = (t) => `${Math.floor(t / 60)}:${(t % 60).toFixed(1).padStart(4, "0")}`;

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function filters() {
  const params = new URLSearchParams();
  for (const [name, id] of [["title", "title"], ["transition", "transition"], ["speech", "speech"],
                            ["min_music_share", "music"]]) {
    if ($(id).value !== "") params.set(name, $(id).value);
  }
  return params;
}

async function load() {
  const q = $("q").value.trim();
  const params = filters();
  if ($("qc").value) params.set("qc_status", $("qc").value);
  let path;
  if (q) {
    params.set("q", q);
    path = "/api/search?" + params;
  } else {
    path = "/api/shots?" + params;
  }
  $("status").textContent = "Loading…";
  try {
    const { shots } = await api(path);
    show(shots);
    $("status").textContent = q ? `${shots.length} shots for “${q}”` : `${shots.length} shots`;
  } catch (error) {
    grid.replaceChildren();
    $("status").textContent = error.message;
  }
}

function show(shots) {
  grid.replaceChildren(
    ...shots.map((s, i) => {
      const words = s.transcript_text || s.subtitle_text || s.on_screen_text || "";
      const card = element(
        "button",
        { className: "shot", type: "button", tabIndex: i === 0 ? 0 : -1 },
        element("img", { src: media(s.keyframe_uri), alt: `${s.title_id} shot ${s.shot_index}`, loading: "lazy" }),
        element(
          "div",
          { className: "meta" },
          element("strong", { textContent: s.title_id }),
          ` #${s.shot_index} · ${seconds(s.start_s)}–${seconds(s.end_s)}`,
          element("div", { className: "words", textContent: words }),
        ),
      );
      card.dataset.title = s.title_id;
      card.addEventListener("click", () => play(s));
      return card;
    }),
  );
}

async function play(s) {
  const shot = await api(shotPath(s));
  const video = $("video");
  video.replaceChildren(
    element("track", { kind: "subtitles", label: "subtitles", srclang: shot.language || "en",
                       src: shotPath(s) + "/subtitles.vtt", default: true }),
  );
  video.src = shotPath(s) + "/clip.mp4";
  video.dataset.startS = shot.start_s;
  $("shot-heading").replaceChildren(
    element("a", { href: "#", textContent: s.title_id, onclick: (e) => { e.preventDefault(); openTitle(s.title_id); } }),
    ` · shot ${shot.shot_index}`,
  );
  const facts = {
    time: `${seconds(shot.start_s)} – ${seconds(shot.end_s)} (${shot.duration_s.toFixed(2)} s)`,
    transition: shot.transition_in,
    speech: shot.speech_ratio === null ? "–" : `${Math.round(shot.speech_ratio * 100)} %`,
    music: shot.music_share === null ? "–" : `${Math.round(shot.music_share * 100)} %`,
    loudness: shot.rms_dbfs === null ? "–" : `${shot.rms_dbfs.toFixed(1)} dBFS`,
    labels: (shot.annotation_labels || []).join(", ") || "–",
    "on screen": shot.on_screen_text.map((line) => line.text).join(" / ") || "–",
  };
  $("shot-facts").replaceChildren(
    ...Object.entries(facts).flatMap(([k, v]) => [element("dt", { textContent: k }), element("dd", { textContent: v })]),
  );
  $("transcript").replaceChildren(
    ...shot.words.flatMap((w) => [element("span", { textContent: w.word.trim(), title: `${w.start_s.toFixed(2)} s` }), " "]),
  );
  $("player").showModal();
}

async function openTitle(titleId) {
  $("player").close();
  const t = await api(`/api/titles/${encodeURIComponent(titleId)}`);
  const facts = ["duration_s", "shot_count", "cuts_per_minute", "speech_ratio", "language", "integrated_lufs",
                 "subtitle_files", "annotation_count", "qc_status"];
  const page = $("title-page");
  page.replaceChildren(
    element("h2", { textContent: t.title_id }),
    element("dl", {}, ...facts.flatMap((k) => [element("dt", { textContent: k }),
                                               element("dd", { textContent: String(t[k] ?? "–") })])),
    (t.qc_findings || []).length ? element("p", { textContent: "QC: " + t.qc_findings.join("; ") }) : null,
    t.timeline_uri ? element("img", { src: media(t.timeline_uri), alt: `${t.title_id} timeline` }) : null,
    ...Object.entries(t.contact_sheets).map(([source, key]) =>
      element("figure", {}, element("img", { src: media(key), alt: `${source} contact sheet` }),
              element("figcaption", { textContent: source }))),
  );
  page.hidden = false;
  $("title").value = titleId;
  load();
}

function moveFocus(event) {
  const cards = [...grid.querySelectorAll(".shot")];
  const at = cards.indexOf(document.activeElement);
  if (at < 0) return;
  const columns = getComputedStyle(grid).gridTemplateColumns.split(" ").length;
  const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[event.key];
  if (step === undefined) return;
  event.preventDefault();
  const next = cards[Math.max(0, Math.min(cards.length - 1, at + step))];
  cards[at].tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.key === "/" && document.activeElement !== $("q")) {
    event.preventDefault();
    $("q").focus();
  } else {
    moveFocus(event);
  }
});
$("close").addEventListener("click", () => $("player").close());
$("player").addEventListener("close", () => $("video").pause());
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

(async () => {
  const { titles } = await api("/api/titles?limit=500");
  $("title").append(...titles.map((t) => element("option", { value: t.title_id, textContent: t.title_id })));
  load();
})();
