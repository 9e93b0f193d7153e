package io.minidynamo.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.minidynamo.faults.History.Fault;
import io.minidynamo.faults.History.Operation;
import io.minidynamo.faults.History.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One self-contained HTML file per run: request latency (log scale) over time, one point per
 * operation coloured by outcome and shaped by kind, every fault window shaded over the plot and
 * drawn in one lane per node, then the checks, the measurements, the faults and the run metadata.
 *
 * <p>No external script, style or font: the data is embedded as compact arrays and drawn on a
 * canvas by inline script, so a 50k-operation run stays a few MB. FAILED and UNKNOWN operations
 * are always drawn; OK operations are thinned to one per screen cell (time column × latency row ×
 * kind) when there are more than {@link #OK_POINTS_IN_FULL}, which the legend states.
 */
public final class TimelineReport {

  /** Up to this many OK operations are embedded one by one. */
  static final int OK_POINTS_IN_FULL = 20_000;
  /** Screen cells OK points are thinned to beyond that: time columns × log-latency rows. */
  static final int COLUMNS = 1200;
  static final int ROWS_PER_DECADE = 40;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TimelineReport() {}

  public static void write(History h, CheckReport r, Path htmlFile) throws IOException {
    Files.writeString(htmlFile, html(h, r), StandardCharsets.UTF_8);
  }

  static String html(History h, CheckReport r) throws IOException {
    List<String> nodes = nodes(h);
    String data = JSON.writeValueAsString(data(h, nodes)).replace("</", "<\\/");
    StringBuilder s = new StringBuilder(TEMPLATE_HEAD.length() + data.length() + 64 * 1024);
    History.Run run = h.run();
    String title = "Mini Dynamo fault run: seed " + run.seed() + ", " + run.mode();
    s.append(TEMPLATE_HEAD.replace("%TITLE%", esc(title)));
    s.append("<h1>").append(esc(title)).append("</h1>\n");
    s.append("<p class=\"summary ").append(r.failed() == 0 ? "pass" : "fail").append("\">")
        .append(esc(r.summaryLine())).append("</p>\n");

    s.append("<h2>Timeline</h2>\n<div id=\"legend\"></div>\n")
        .append("<div id=\"wrap\"><canvas id=\"plot\"></canvas><div id=\"tip\"></div></div>\n");

    s.append("<h2>Checks</h2>\n<table class=\"checks\"><tr><th>check</th><th>result</th>"
        + "<th>detail</th><th>examples</th></tr>\n");
    for (CheckResult c : r.checks()) {
      s.append("<tr class=\"").append(c.passed() ? "pass" : "fail").append("\"><td>")
          .append(esc(c.name())).append("</td><td>").append(c.passed() ? "PASS" : "FAIL")
          .append("</td><td>").append(esc(c.detail())).append("</td><td>");
      if (!c.examples().isEmpty()) {
        s.append("<ul>");
        c.examples().forEach(e -> s.append("<li>").append(esc(e)).append("</li>"));
        s.append("</ul>");
      }
      s.append("</td></tr>\n");
    }
    s.append("</table>\n");

    s.append("<h2>Measurements</h2>\n<table><tr><th>figure</th><th>value</th></tr>\n");
    r.measurements().forEach((k, v) -> s.append("<tr><td>").append(esc(k)).append("</td><td>")
        .append(esc(String.valueOf(v))).append("</td></tr>\n"));
    s.append("</table>\n");

    s.append("<h2>Faults</h2>\n<table class=\"faults\"><tr><th>id</th><th>kind</th><th>nodes</th>"
        + "<th>description</th><th>start s</th><th>end s</th></tr>\n");
    for (Fault f : h.faults()) {
      s.append("<tr><td>").append(f.id()).append("</td><td>").append(esc(f.kind()))
          .append("</td><td>").append(esc(String.join(",", f.nodes()))).append("</td><td>")
          .append(esc(String.valueOf(f.description()))).append("</td><td>")
          .append(seconds(f.startMicros())).append("</td><td>").append(seconds(f.endMicros()))
          .append("</td></tr>\n");
    }
    s.append("</table>\n");

    s.append("<h2>Run</h2>\n<table>\n");
    row(s, "seed", String.valueOf(run.seed()));
    row(s, "mode", run.mode());
    row(s, "network", run.network());
    new TreeMap<>(run.nodes()).forEach((id, url) -> row(s, "node " + id, url));
    row(s, "N / R / W", run.n() + " / " + run.r() + " / " + run.w());
    row(s, "started", Instant.ofEpochMilli(run.startedAtEpochMillis()).toString());
    row(s, "workload duration", seconds(run.durationMicros()) + " s");
    new TreeMap<>(run.settings()).forEach((k, v) -> row(s, "setting " + k, v));
    History.Convergence c = h.convergence();
    row(s, "convergence", (c.converged() ? "converged" : "NOT converged") + " after "
        + seconds(c.waitedMicros()) + " s (deadline " + seconds(c.deadlineMicros()) + " s)");
    row(s, "operations / faults / final reads", h.operations().size() + " / " + h.faults().size()
        + " / " + h.finalReads().size());
    s.append("</table>\n");

    s.append("<script>\nconst D = ").append(data).append(";\n").append(SCRIPT).append("</script>\n");
    s.append("</body>\n</html>\n");
    return s.toString();
  }

  /** Node ids: the run's nodes, then any other node an operation or fault names. */
  private static List<String> nodes(History h) {
    Set<String> ids = new java.util.TreeSet<>(h.run().nodes().keySet());
    h.operations().forEach(op -> {
      if (op.node() != null) {
        ids.add(op.node());
      }
    });
    h.faults().forEach(f -> ids.addAll(f.nodes()));
    return new ArrayList<>(ids);
  }

  /**
   * The embedded data. {@code p}: flat [time ms, latency µs, code, op id] per drawn point, code =
   * outcome + 3 × kind + 9 × node index (outcome OK 0, UNKNOWN 1, FAILED 2; kind PUT 0, GET 1,
   * DELETE 2; node -1 → index of "?").
   */
  private static Map<String, Object> data(History h, List<String> nodes) {
    List<Operation> ops = h.operations();
    long okCount = ops.stream().filter(op -> op.outcome() == Outcome.OK).count();
    long endMicros = Math.max(1, h.run().durationMicros());
    for (Operation op : ops) {
      endMicros = Math.max(endMicros, op.endMicros());
    }
    for (Fault f : h.faults()) {
      endMicros = Math.max(endMicros, f.endMicros());
    }
    boolean thin = okCount > OK_POINTS_IN_FULL;
    Set<Long> cells = new HashSet<>();
    List<Long> points = new ArrayList<>();
    long okDrawn = 0;
    // OK first so FAILED and UNKNOWN are painted over them
    for (int pass = 0; pass < 2; pass++) {
      for (Operation op : ops) {
        boolean ok = op.outcome() == Outcome.OK;
        if (ok != (pass == 0)) {
          continue;
        }
        long latency = Math.max(1, op.endMicros() - op.startMicros());
        if (ok && thin) {
          long column = op.startMicros() * COLUMNS / endMicros;
          long row = Math.round(Math.log10(latency) * ROWS_PER_DECADE);
          if (!cells.add((column * 100_000 + row) * 3 + op.kind().ordinal())) {
            continue;
          }
        }
        okDrawn += ok ? 1 : 0;
        int node = Math.max(0, nodes.indexOf(op.node()));
        points.add(op.startMicros() / 1000);
        points.add(latency);
        points.add((long) (op.outcome().ordinal() == 0 ? 0 : op.outcome() == Outcome.UNKNOWN ? 1 : 2)
            + 3L * op.kind().ordinal() + 9L * node);
        points.add(op.id());
      }
    }
    List<Map<String, Object>> faults = new ArrayList<>();
    for (Fault f : h.faults()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", f.id());
      m.put("kind", f.kind());
      m.put("nodes", f.nodes().stream().map(nodes::indexOf).toList());
      m.put("desc", f.description());
      m.put("s", f.startMicros() / 1000);
      m.put("e", f.endMicros() / 1000);
      faults.add(m);
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("nodes", nodes);
    d.put("endMs", endMicros / 1000);
    d.put("ok", okCount);
    d.put("okDrawn", okDrawn);
    d.put("p", points);
    d.put("faults", faults);
    return d;
  }

  private static void row(StringBuilder s, String k, String v) {
    s.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(String.valueOf(v)))
        .append("</td></tr>\n");
  }

  private static String seconds(long micros) {
    return String.format(java.util.Locale.ROOT, "%.3f", micros / 1e6);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String TEMPLATE_HEAD = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>%TITLE%</title>
      <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
      table { border-collapse: collapse; margin-bottom: 1em; }
      td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
      tr.fail td { background: #fde2e2; } tr.pass td:nth-child(2) { color: #17752d; }
      .summary { font-size: 20px; font-weight: bold; } .summary.pass { color: #17752d; }
      .summary.fail { color: #b3261e; }
      #wrap { position: relative; } canvas { border: 1px solid #ddd; }
      #tip { position: absolute; display: none; background: #fff; border: 1px solid #888;
             padding: 3px 6px; font-size: 12px; pointer-events: none; white-space: pre; }
      #legend span { margin-right: 1.2em; }
      ul { margin: 0; padding-left: 1.2em; }
      </style>
      </head>
      <body>
      """;

  private static final String SCRIPT = """
      (function () {
        const OUT = ['ok', 'unknown', 'failed'], OUTC = ['#2e9d4a', '#f08c00', '#d62728'];
        const KIND = ['PUT', 'GET', 'DELETE'];
        const FC = k => k.startsWith('kill') ? '#d62728' : k.startsWith('pause') ? '#9467bd'
          : k.startsWith('partition') ? '#1f77b4' : k.startsWith('clock') ? '#bcbd22' : '#7f7f7f';
        const cv = document.getElementById('plot'), tip = document.getElementById('tip');
        const L = 70, R = 20, T = 40, PH = 380, LANE = 18;
        const W = Math.max(900, Math.min(1600, window.innerWidth - 60));
        const H = T + PH + 30 + LANE * D.nodes.length + 10;
        const dpr = window.devicePixelRatio || 1;
        cv.width = W * dpr; cv.height = H * dpr; cv.style.width = W + 'px'; cv.style.height = H + 'px';
        const g = cv.getContext('2d'); g.scale(dpr, dpr);
        const p = D.p, n = p.length / 4;
        let lo = Infinity, hi = 1;
        for (let i = 0; i < n; i++) { const l = p[4 * i + 1]; if (l < lo) lo = l; if (l > hi) hi = l; }
        if (!isFinite(lo)) lo = 100;
        const y0 = Math.floor(Math.log10(Math.max(1, lo))), y1 = Math.max(y0 + 1, Math.ceil(Math.log10(hi)));
        const X = t => L + (W - L - R) * t / Math.max(1, D.endMs);
        const Y = us => T + PH - PH * (Math.log10(Math.max(1, us)) - y0) / (y1 - y0);
        const laneY = i => T + PH + 30 + LANE * i;
        g.font = '11px sans-serif'; g.textBaseline = 'middle';
        // fault bands over the plot, labelled, and in the lanes of their nodes
        D.faults.forEach((f, i) => {
          const x = X(f.s), w = Math.max(1, X(f.e) - X(f.s)), c = FC(f.kind);
          g.globalAlpha = 0.10; g.fillStyle = c; g.fillRect(x, T, w, PH);
          g.globalAlpha = 0.9; g.fillStyle = c; g.fillText(f.kind, x + 2, 8 + 11 * (i % 3));
          const lanes = f.nodes.length && f.nodes.every(j => j >= 0) ? f.nodes : D.nodes.map((_, j) => j);
          g.globalAlpha = 0.55;
          lanes.forEach(j => g.fillRect(x, laneY(j) + 2, w, LANE - 4));
        });
        g.globalAlpha = 1;
        // axes
        g.strokeStyle = '#999'; g.fillStyle = '#333'; g.lineWidth = 1;
        g.strokeRect(L, T, W - L - R, PH);
        g.textAlign = 'right';
        for (let d = y0; d <= y1; d++) {
          const y = Y(Math.pow(10, d));
          g.beginPath(); g.moveTo(L, y); g.lineTo(W - R, y); g.strokeStyle = '#eee'; g.stroke();
          const ms = Math.pow(10, d) / 1000;
          g.fillText(ms >= 1 ? ms + ' ms' : ms.toFixed(3) + ' ms', L - 4, y);
        }
        g.textAlign = 'center';
        const secs = D.endMs / 1000, step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]
          .find(s => secs / s <= 15) || 7200;
        for (let s = 0; s <= secs; s += step) {
          g.fillText(s + ' s', X(s * 1000), T + PH + 12);
        }
        g.textAlign = 'right';
        D.nodes.forEach((id, j) => {
          g.fillStyle = '#333'; g.fillText(id, L - 4, laneY(j) + LANE / 2);
          g.strokeStyle = '#eee'; g.strokeRect(L, laneY(j), W - L - R, LANE);
        });
        // points: OK first, then unknown and failed on top
        const sx = new Float32Array(n), sy = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const code = p[4 * i + 2], o = code % 3, k = Math.floor(code / 3) % 3;
          const x = X(p[4 * i]), y = Y(p[4 * i + 1]);
          sx[i] = x; sy[i] = y;
          g.fillStyle = OUTC[o];
          const r = o === 0 ? 1.5 : 2.5;
          g.beginPath();
          if (k === 0) g.arc(x, y, r, 0, 2 * Math.PI);
          else if (k === 1) g.rect(x - r, y - r, 2 * r, 2 * r);
          else { g.moveTo(x, y - r - 1); g.lineTo(x + r + 1, y + r); g.lineTo(x - r - 1, y + r); g.closePath(); }
          g.fill();
        }
        const counts = [0, 0, 0];
        for (let i = 0; i < n; i++) counts[p[4 * i + 2] % 3]++;
        document.getElementById('legend').innerHTML =
          OUT.map((o, i) => '<span style="color:' + OUTC[i] + '">&#9679; ' + o + ' ' +
            (i === 0 ? D.okDrawn + (D.okDrawn < D.ok ? ' drawn of ' + D.ok + ' (thinned to one per cell)' : '') : counts[i]) +
            '</span>').join('') +
          '<span>&#9679; PUT &#9632; GET &#9650; DELETE</span>' +
          '<span>latency (log) over seconds since start; lanes: nodes a fault acted on</span>';
        cv.addEventListener('mousemove', ev => {
          const b = cv.getBoundingClientRect(), mx = ev.clientX - b.left, my = ev.clientY - b.top;
          let best = -1, bd = 36;
          for (let i = 0; i < n; i++) {
            const dx = sx[i] - mx, dy = sy[i] - my, d = dx * dx + dy * dy;
            if (d < bd) { bd = d; best = i; }
          }
          let text = null;
          if (best >= 0) {
            const code = p[4 * best + 2];
            text = 'op ' + p[4 * best + 3] + ' ' + KIND[Math.floor(code / 3) % 3] + ' ' + OUT[code % 3] +
              ' via ' + D.nodes[Math.floor(code / 9)] + '\\nstart ' + (p[4 * best] / 1000).toFixed(3) +
              ' s, latency ' + (p[4 * best + 1] / 1000).toFixed(2) + ' ms';
          } else {
            const t = (mx - L) / (W - L - R) * D.endMs;
            const hits = D.faults.filter(f => f.s <= t && t <= f.e);
            if (hits.length && mx >= L) text = hits.map(f => 'fault ' + f.id + ' ' + f.kind + ': ' +
              (f.desc || '') + ' (' + (f.s / 1000).toFixed(1) + '-' + (f.e / 1000).toFixed(1) + ' s)').join('\\n');
          }
          if (text) {
            tip.textContent = text; tip.style.display = 'block';
            tip.style.left = (mx + 12) + 'px'; tip.style.top = (my + 12) + 'px';
          } else tip.style.display = 'none';
        });
        cv.addEventListener('mouseleave', () => tip.style.display = 'none');
      })();
      """;
}
