package io.switchboard.api.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.util.ByteString;

/** RFC 9457 problem details: the body of every API error. */
public final class Problem {

  private static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

  private Problem() {}

  public static HttpResponse response(StatusCode status, String detail) {
    return response(status, detail, Map.of());
  }

  /** With extension members, e.g. the id of the envelope a refusal is about. */
  public static HttpResponse response(
      StatusCode status, String detail, Map<String, String> extensions) {
    ObjectNode members = JsonNodeFactory.instance.objectNode();
    extensions.forEach(members::put);
    return response(status, detail, members);
  }

  /** With extension members of any JSON shape (lists of what a refusal is about). */
  public static HttpResponse response(StatusCode status, String detail, ObjectNode extensions) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", "about:blank");
    body.put("title", status.reason());
    body.put("status", status.intValue());
    body.put("detail", detail);
    body.setAll(extensions);
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(PROBLEM_JSON, ByteString.fromString(body.toString()));
  }
}
