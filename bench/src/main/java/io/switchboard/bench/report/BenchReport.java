package io.switchboard.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.bench.BenchPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one scenario run measured: its parameters, its results, and timelines taken during the run
 * (sessions and latency; in scenarios that send agents a change, also how many agents it reached).
 * Written as markdown, JSON and an SVG plot drawn here, so that a run leaves something to read,
 * something to compare by script, and a picture.
 */
public final class BenchReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One measured number, with the unit it is in; NaN when it could not be measured. */
  record Result(String key, String label, double value, String unit) {}

  /** One sample of a timeline: seconds since the run started, and the value. */
  public record Point(double seconds, double value) {}

  private static final DateTimeFormatter FILE_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String scenario;
  private final String description;
  private final Instant startedAt;
  private final Map<String, String> parameters = new LinkedHashMap<>();
  private final List<Result> results = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, List<List<String>>> tables = new LinkedHashMap<>();
  private final Map<String, List<Point>> sessions = new LinkedHashMap<>();
  private final Map<String, List<Point>> latency = new LinkedHashMap<>();
  private final Map<String, List<Point>> reached = new LinkedHashMap<>();

  public BenchReport(String scenario, String description, Instant startedAt) {
    this.scenario = scenario;
    this.description = description;
    this.startedAt = startedAt;
    String nodeBuild = System.getProperty("nodeBuild", "").trim();
    if (!nodeBuild.isEmpty()) {
      parameter("the node built in another checkout (-DnodeBuild)", nodeBuild);
    }
  }

  public void parameter(String name, Object value) {
    parameters.put(
        name, value instanceof Duration duration ? format(duration) : String.valueOf(value));
  }

  private static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }

  public void result(String key, String label, double value, String unit) {
    results.add(new Result(key, label, value, unit));
  }

  public void note(String text) {
    notes.add(text);
  }

  /** A table the scenario computes (its first row the header), printed after the notes. */
  public synchronized void table(String title, List<List<String>> rows) {
    tables.put(title, List.copyOf(rows));
  }

  /** Whether any sample of this sessions series was taken. */
  public synchronized boolean hasSessions(String series) {
    return sessions.containsKey(series);
  }

  /**
   * Sessions held at a moment, in the series {@code series} (the simulator's count, the node's
   * gauge ...).
   */
  public synchronized void sessions(String series, double seconds, double value) {
    sessions.computeIfAbsent(series, s -> new ArrayList<>()).add(new Point(seconds, value));
  }

  /** A latency in milliseconds at a moment, in the series {@code series}. */
  public synchronized void latency(String series, double seconds, double millis) {
    latency.computeIfAbsent(series, s -> new ArrayList<>()).add(new Point(seconds, millis));
  }

  /**
   * How many agents a change had reached at a moment (received it, reported it APPLIED ...), in the
   * series {@code series}.
   */
  public synchronized void reached(String series, double seconds, double agents) {
    reached.computeIfAbsent(series, s -> new ArrayList<>()).add(new Point(seconds, agents));
  }

  List<Result> results() {
    return List.copyOf(results);
  }

  /** Writes the report into bench/results and prints its markdown, as every scenario ends. */
  public void publish() throws IOException {
    Path written = write(BenchPaths.resultsDirectory());
    System.out.println(toMarkdown(written.getFileName().toString().replace(".md", ".svg")));
    System.out.println("bench: report written to " + written + " (and .json, .svg)");
  }

  /**
   * Writes {@code <scenario>-<UTC timestamp>.md/.json/.svg} into {@code directory}; returns the
   * markdown's path.
   */
  synchronized Path write(Path directory) throws IOException {
    Files.createDirectories(directory);
    String base = scenario + "-" + FILE_TIMESTAMP.format(startedAt);
    Files.writeString(directory.resolve(base + ".json"), toJson());
    Files.writeString(directory.resolve(base + ".svg"), toSvg());
    Path markdown = directory.resolve(base + ".md");
    Files.writeString(markdown, toMarkdown(base + ".svg"));
    return markdown;
  }

  synchronized String toMarkdown(String plotFile) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(scenario).append(" (").append(startedAt).append(")\n\n");
    md.append(description).append("\n\n");
    md.append("| parameter | value |\n|---|---|\n");
    parameters.forEach(
        (name, value) ->
            md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n"));
    md.append("\n| result | value |\n|---|---|\n");
    for (Result result : results) {
      md.append("| ")
          .append(cell(result.label()))
          .append(" | ")
          .append(formatted(result))
          .append(" |\n");
    }
    if (!notes.isEmpty()) {
      md.append('\n');
      notes.forEach(note -> md.append("- ").append(note).append('\n'));
    }
    tables.forEach(
        (title, rows) -> {
          md.append("\n### ").append(title).append("\n\n");
          for (int i = 0; i < rows.size(); i++) {
            md.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
            if (i == 0) {
              md.append("|").append("---|".repeat(rows.get(0).size())).append('\n');
            }
          }
        });
    md.append("\n![")
        .append(reached.isEmpty() ? "sessions and latency" : "sessions, agents reached and latency")
        .append(" over time](")
        .append(plotFile)
        .append(")\n");
    return md.toString();
  }

  synchronized String toJson() {
    ObjectNode json = JSON.createObjectNode();
    json.put("scenario", scenario);
    json.put("description", description);
    json.put("started_at", startedAt.toString());
    ObjectNode parameterValues = json.putObject("parameters");
    parameters.forEach(parameterValues::put);
    ObjectNode resultValues = json.putObject("results");
    for (Result result : results) {
      ObjectNode value = resultValues.putObject(result.key());
      // NaN (not measured) has no JSON form: null.
      if (Double.isFinite(result.value())) {
        value.put("value", result.value());
      } else {
        value.putNull("value");
      }
      value.put("unit", result.unit()).put("label", result.label());
    }
    notes.forEach(json.putArray("notes")::add);
    ObjectNode tableValues = json.putObject("tables");
    tables.forEach(
        (title, rows) -> {
          ArrayNode table = tableValues.putArray(title);
          rows.forEach(row -> row.forEach(table.addArray()::add));
        });
    timeline(json.putObject("sessions"), sessions);
    timeline(json.putObject("latency_ms"), latency);
    if (!reached.isEmpty()) {
      timeline(json.putObject("agents_reached"), reached);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers and strings always serializes", e);
    }
  }

  /**
   * Panels sharing the time axis, one polyline per series: sessions on top, agents reached (when
   * the scenario measured it) and latency below.
   */
  synchronized String toSvg() {
    Map<String, Map<String, List<Point>>> panels = new LinkedHashMap<>();
    panels.put("sessions", sessions);
    if (!reached.isEmpty()) {
      panels.put("agents reached", reached);
    }
    panels.put("latency (ms)", latency);
    double end =
        Math.max(1, panels.values().stream().mapToDouble(BenchReport::lastSecond).max().orElse(0));
    int height = 20 + PANEL_SPACING * panels.size();
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1100\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 1100 ")
        .append(height)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    svg.append("<rect width=\"1100\" height=\"").append(height).append("\" fill=\"white\"/>\n");
    svg.append("<text x=\"550\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">")
        .append(Xml.escape(scenario + " " + startedAt))
        .append("</text>\n");
    int top = 40;
    for (Map.Entry<String, Map<String, List<Point>>> panel : panels.entrySet()) {
      panel(svg, panel.getKey(), panel.getValue(), top, end);
      top += PANEL_SPACING;
    }
    return svg.append("</svg>\n").toString();
  }

  private static final String[] COLOURS = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"
  };
  private static final int LEFT = 70;
  private static final int WIDTH = 620;
  private static final int HEIGHT = 220;

  /**
   * From one panel's top to the next one's: the panel, its time labels and the next one's title.
   */
  private static final int PANEL_SPACING = 300;

  private static void panel(
      StringBuilder svg, String title, Map<String, List<Point>> series, int top, double end) {
    double max = 1;
    for (List<Point> points : series.values()) {
      for (Point point : points) {
        if (Double.isFinite(point.value())) {
          max = Math.max(max, point.value());
        }
      }
    }
    int bottom = top + HEIGHT;
    svg.append("<text x=\"")
        .append(LEFT)
        .append("\" y=\"")
        .append(top - 6)
        .append("\">")
        .append(Xml.escape(title))
        .append("</text>\n");
    svg.append("<rect x=\"")
        .append(LEFT)
        .append("\" y=\"")
        .append(top)
        .append("\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" fill=\"none\" stroke=\"#999\"/>\n");
    for (int tick = 0; tick <= 4; tick++) {
      double value = max * tick / 4;
      int y = bottom - HEIGHT * tick / 4;
      svg.append("<text x=\"")
          .append(LEFT - 6)
          .append("\" y=\"")
          .append(y + 4)
          .append("\" text-anchor=\"end\">")
          .append(axisLabel(value))
          .append("</text>\n");
      double seconds = end * tick / 4;
      int x = LEFT + WIDTH * tick / 4;
      svg.append("<text x=\"")
          .append(x)
          .append("\" y=\"")
          .append(bottom + 16)
          .append("\" text-anchor=\"middle\">")
          .append(axisLabel(seconds))
          .append(" s</text>\n");
    }
    int index = 0;
    for (Map.Entry<String, List<Point>> entry : series.entrySet()) {
      String colour = COLOURS[index % COLOURS.length];
      StringBuilder points = new StringBuilder();
      for (Point point : entry.getValue()) {
        if (Double.isFinite(point.value())) {
          double x = LEFT + WIDTH * point.seconds() / end;
          double y = bottom - HEIGHT * point.value() / max;
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
      }
      svg.append("<polyline fill=\"none\" stroke=\"")
          .append(colour)
          .append("\" stroke-width=\"1.5\" points=\"")
          .append(points.toString().trim())
          .append("\"/>\n");
      int legendY = top + 14 + 16 * index;
      svg.append("<rect x=\"")
          .append(LEFT + WIDTH + 10)
          .append("\" y=\"")
          .append(legendY - 9)
          .append("\" width=\"10\" height=\"10\" fill=\"")
          .append(colour)
          .append("\"/>\n");
      svg.append("<text x=\"")
          .append(LEFT + WIDTH + 24)
          .append("\" y=\"")
          .append(legendY)
          .append("\">")
          .append(Xml.escape(entry.getKey()))
          .append("</text>\n");
      index++;
    }
    if (series.isEmpty()) {
      svg.append("<text x=\"")
          .append(LEFT + WIDTH / 2)
          .append("\" y=\"")
          .append(top + HEIGHT / 2)
          .append("\" text-anchor=\"middle\" fill=\"#999\">not measured in this scenario</text>\n");
    }
  }

  private static double lastSecond(Map<String, List<Point>> series) {
    return series.values().stream()
        .flatMap(List::stream)
        .mapToDouble(Point::seconds)
        .max()
        .orElse(0);
  }

  private static void timeline(ObjectNode json, Map<String, List<Point>> series) {
    series.forEach(
        (name, points) -> {
          ArrayNode values = json.putArray(name);
          points.forEach(point -> values.addArray().add(point.seconds()).add(point.value()));
        });
  }

  private static String formatted(Result result) {
    if (!Double.isFinite(result.value())) {
      return "not measured";
    }
    double value = result.value();
    String number =
        value == Math.rint(value) && Math.abs(value) < 1e15
            ? String.format(Locale.ROOT, "%,d", (long) value)
            : String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%,.0f" : "%.2f", value);
    return result.unit().isEmpty() ? number : number + " " + result.unit();
  }

  private static String axisLabel(double value) {
    return value >= 100 || value == Math.rint(value)
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  /** Text for the SVG, escaped for XML. */
  private static final class Xml {
    private Xml() {}

    static String escape(String text) {
      return text.replace("&", "&amp;")
          .replace("<", "&lt;")
          .replace(">", "&gt;")
          .replace("\"", "&quot;");
    }
  }
}
