package io.switchboard.observability;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * A gauge whose series go away when what they describe ends (one series per running rollout). Kamon
 * cannot do that here: its Prometheus reporter accumulates every series it has seen for 1,825 days,
 * so a removed Kamon instrument goes on being scraped with its last value. These series are kept
 * apart and written after Kamon's text by {@link Telemetry#scrape()}. Like Kamon's registry they
 * are per JVM.
 */
public final class TransientGauge {

  private static final ConcurrentMap<String, TransientGauge> GAUGES = new ConcurrentHashMap<>();

  private final String name;
  private final String help;
  private final ConcurrentMap<SortedMap<String, String>, Double> series = new ConcurrentHashMap<>();

  private TransientGauge(String name, String help) {
    this.name = name;
    this.help = help;
  }

  /** The gauge of that Prometheus name, made on first use. */
  static TransientGauge named(String name, String help) {
    return GAUGES.computeIfAbsent(name, key -> new TransientGauge(key, help));
  }

  public void set(Map<String, String> labels, double value) {
    series.put(new TreeMap<>(labels), value);
  }

  /** Drops every series whose labels match. */
  public void removeIf(Predicate<Map<String, String>> labels) {
    series.keySet().removeIf(labels);
  }

  /** Every gauge's series as Prometheus text; nothing for a gauge without series. */
  static String scrape() {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(GAUGES).values().forEach(gauge -> gauge.appendTo(text));
    return text.toString();
  }

  private void appendTo(StringBuilder text) {
    Map<SortedMap<String, String>, Double> current = Map.copyOf(series);
    if (current.isEmpty()) {
      return;
    }
    text.append("# HELP ").append(name).append(' ').append(help).append('\n');
    text.append("# TYPE ").append(name).append(" gauge\n");
    current.forEach(
        (labels, value) -> {
          text.append(name).append('{');
          String separator = "";
          for (Map.Entry<String, String> label : labels.entrySet()) {
            text.append(separator)
                .append(label.getKey())
                .append("=\"")
                .append(escape(label.getValue()))
                .append('"');
            separator = ",";
          }
          text.append("} ").append(value).append('\n');
        });
  }

  /** Prometheus text escapes backslash, double quote and line feed in label values. */
  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
