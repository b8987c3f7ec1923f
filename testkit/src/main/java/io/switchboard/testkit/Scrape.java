package io.switchboard.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One read of a node's Prometheus text, queried by metric name and a subset of labels, so that
 * assertions do not depend on the order Kamon writes labels in.
 */
public final class Scrape {

  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  public record Sample(String name, Map<String, String> labels, double value) {

    public boolean matches(String metric, Map<String, String> subset) {
      return name.equals(metric) && labels.entrySet().containsAll(subset.entrySet());
    }
  }

  private final List<Sample> samples;

  private Scrape(List<Sample> samples) {
    this.samples = samples;
  }

  public static Scrape of(int metricsPort) {
    return parse(HttpProbe.get(metricsPort, "/metrics").body());
  }

  public static Scrape parse(String text) {
    return new Scrape(
        text.lines()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .map(SAMPLE::matcher)
            .filter(Matcher::matches)
            .map(
                sample ->
                    new Sample(
                        sample.group(1),
                        labels(sample.group(2)),
                        Double.parseDouble(sample.group(3))))
            .toList());
  }

  /** The samples of a metric carrying at least the given labels. */
  public List<Sample> samples(String metric, Map<String, String> labels) {
    return samples.stream().filter(sample -> sample.matches(metric, labels)).toList();
  }

  /** The sum over the matching samples, or empty when there is none. */
  public OptionalDouble sum(String metric, Map<String, String> labels) {
    List<Sample> matching = samples(metric, labels);
    return matching.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(matching.stream().mapToDouble(Sample::value).sum());
  }

  /** Every sample whose metric name starts with the prefix. */
  public List<Sample> startingWith(String prefix) {
    return samples.stream().filter(sample -> sample.name().startsWith(prefix)).toList();
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    if (text != null) {
      Matcher label = LABEL.matcher(text);
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
    }
    return labels;
  }
}
