package io.switchboard.api.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.api.TestApi;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.HttpProbe;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /api/agents} filters with the selector grammar the preview and assignments take, over
 * labels and attributes: equality, inequality, in, notin, exists and does-not-exist. The fleet is
 * {@link FleetTable}'s (agent i runs svc-(i % 100), on linux when i is even), labelled here: agent
 * i has {@code gpu} when i % 4 = 0, and {@code ring} canary when i % 3 = 0, main when i % 3 = 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentListSelectorTest {

  private static final int AGENTS = 200;

  private TestApi api;

  @BeforeAll
  void start() {
    api = TestApi.start();
    FleetTable.fill(api.db(), AGENTS);
    api.db()
        .execute(
            """
            UPDATE agents a SET labels = l.labels
            FROM (SELECT md5(i::text)::uuid::text AS uid,
                         CASE WHEN i % 4 = 0 THEN '{"gpu": "a100"}'::jsonb ELSE '{}'::jsonb END
                         || CASE i % 3 WHEN 0 THEN '{"ring": "canary"}'::jsonb
                                       WHEN 1 THEN '{"ring": "main"}'::jsonb ELSE '{}'::jsonb END AS labels
                  FROM generate_series(1, 200) i) l
            WHERE a.instance_uid = l.uid
            """);
  }

  @AfterAll
  void stop() {
    api.close();
  }

  @Test
  void labelSelectorsSelectWhatTheySay() {
    assertEquals(count(i -> i % 4 == 0), listed("label", "gpu"));
    assertEquals(count(i -> i % 4 != 0), listed("label", "!gpu"));
    assertEquals(count(i -> i % 3 == 0), listed("label", "ring=canary"));
    assertEquals(count(i -> i % 3 != 0), listed("label", "ring!=canary"));
    assertEquals(count(i -> i % 3 != 2), listed("label", "ring in (canary,main)"));
    assertEquals(count(i -> i % 4 == 0 && i % 3 != 0), listed("label", "ring notin (canary),gpu"));
  }

  @Test
  void attributeSelectorsSelectWhatTheySayAndCombineWithLabels() {
    assertEquals(count(i -> i % 100 == 1), listed("attribute", "service.name=svc-1"));
    assertEquals(
        count(i -> (i % 100 == 1 || i % 100 == 2) && i % 2 == 0),
        listed("attribute", "service.name in (svc-1,svc-2),os.type=linux"));
    assertEquals(
        count(i -> i % 100 != 1 && i % 2 == 1),
        listed("attribute", "service.name notin (svc-1),os.type!=linux"));
    assertEquals(AGENTS, listed("attribute", "os.type"));
    assertEquals(0, listed("attribute", "!os.type"));
    JsonNode both =
        HttpProbe.getJson(
            api.port(),
            "/api/agents?limit=1000&attribute="
                + encode("os.type notin (windows)")
                + "&label="
                + encode("gpu,ring!=canary"));
    assertEquals(count(i -> i % 2 == 0 && i % 4 == 0 && i % 3 != 0), both.path("agents").size());
  }

  @Test
  void aBadSelectorIsRefusedNamingTheParameterAndThePosition() {
    HttpResponse<String> refused =
        HttpProbe.get(api.port(), "/api/agents?label=" + encode("tier in (a,b"));
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("label: at position"), refused.body());
  }

  private int listed(String parameter, String selector) {
    JsonNode page =
        HttpProbe.getJson(
            api.port(), "/api/agents?limit=1000&" + parameter + "=" + encode(selector));
    return page.path("agents").size();
  }

  private static int count(IntPredicate agent) {
    return (int) IntStream.rangeClosed(1, AGENTS).filter(agent).count();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
