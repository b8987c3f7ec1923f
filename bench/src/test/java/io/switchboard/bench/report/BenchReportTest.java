package io.switchboard.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** A small fake run: the report's three files are valid and say what was measured. */
class BenchReportTest {

  @Test
  void aRunIsWrittenAsMarkdownJsonAndSvg(@TempDir Path results) throws Exception {
    BenchReport report =
        new BenchReport("connect-storm", "a fake run", Instant.parse("2026-12-01T08:00:00Z"));
    report.parameter("agents (-Dagents)", 3);
    report.parameter("ramp-up", Duration.ofSeconds(5));
    report.result("all_connected_after_s", "every agent held a session after", 2.5, "s");
    report.result("node_heap_per_agent_kib", "node: heap per agent", 84.25, "KiB");
    report.result("heap_ratio_to_floor", "node / echo \"floor\" | ratio", Double.NaN, "x");
    report.note("errors by kind: {connect-failed=1}");
    for (int second = 0; second < 3; second++) {
      report.sessions("simulator", second, second + 1);
      report.sessions("node <gauge>", second, second);
    }
    report.latency("restart: submit to receipt", 1.5, 12.75);

    Path markdown = report.write(results);

    try (Stream<Path> files = Files.list(results)) {
      assertEquals(
          List.of(
              "connect-storm-20261201T080000Z.json",
              "connect-storm-20261201T080000Z.md",
              "connect-storm-20261201T080000Z.svg"),
          files.map(file -> file.getFileName().toString()).sorted().toList());
    }

    JsonNode json =
        new ObjectMapper()
            .readTree(Files.readString(results.resolve("connect-storm-20261201T080000Z.json")));
    assertEquals("connect-storm", json.get("scenario").asText());
    assertEquals("5s", json.at("/parameters/ramp-up").asText());
    assertEquals(84.25, json.at("/results/node_heap_per_agent_kib/value").asDouble());
    assertTrue(json.at("/results/heap_ratio_to_floor/value").isNull(), "NaN is written as null");
    assertEquals(3, json.at("/sessions/simulator").size());
    assertEquals(3.0, json.at("/sessions/simulator/2/1").asDouble());
    assertEquals(12.75, json.at("/latency_ms/restart: submit to receipt/0/1").asDouble());

    String md = Files.readString(markdown);
    assertTrue(md.contains("| every agent held a session after | 2.50 s |"), md);
    assertTrue(md.contains("| node / echo \"floor\" \\| ratio | not measured |"), md);
    assertTrue(md.contains("](connect-storm-20261201T080000Z.svg)"), md);

    Document svg =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(
                new ByteArrayInputStream(
                    Files.readString(results.resolve("connect-storm-20261201T080000Z.svg"))
                        .getBytes(StandardCharsets.UTF_8)));
    assertEquals("svg", svg.getDocumentElement().getTagName());
    assertEquals(3, svg.getElementsByTagName("polyline").getLength(), "one line per series");
    assertTrue(
        json.path("agents_reached").isMissingNode(),
        "no agents-reached timeline where none was measured");
    assertEquals("620", svg.getDocumentElement().getAttribute("height"), "two panels");
  }

  @Test
  void agentsReachedByAChangeGetTheirOwnPanel(@TempDir Path results) throws Exception {
    BenchReport report =
        new BenchReport("rollout", "a fake run", Instant.parse("2026-12-01T08:00:00Z"));
    report.sessions("simulator", 0, 2);
    report.reached("fan-out: received", 1.0, 0);
    report.reached("fan-out: received", 1.2, 1);
    report.reached("fan-out: received", 1.5, 2);
    report.reached("fan-out: APPLIED", 1.4, 1);

    report.write(results);

    JsonNode json =
        new ObjectMapper()
            .readTree(Files.readString(results.resolve("rollout-20261201T080000Z.json")));
    assertEquals(3, json.at("/agents_reached/fan-out: received").size());
    assertEquals(1.5, json.at("/agents_reached/fan-out: received/2/0").asDouble());
    assertEquals(2.0, json.at("/agents_reached/fan-out: received/2/1").asDouble());
    Document svg =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(
                new ByteArrayInputStream(
                    Files.readString(results.resolve("rollout-20261201T080000Z.svg"))
                        .getBytes(StandardCharsets.UTF_8)));
    assertEquals("920", svg.getDocumentElement().getAttribute("height"), "three panels");
    assertEquals(3, svg.getElementsByTagName("polyline").getLength(), "one line per series");
    assertTrue(
        Files.readString(results.resolve("rollout-20261201T080000Z.md"))
            .contains("![sessions, agents reached and latency over time]"));
  }
}
