package io.switchboard.observability.tracing;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where OTLP data goes: the collector's base URL ({@code /v1/traces} and {@code /v1/metrics} are
 * appended), the headers sent with every export (an API key, a tenant), how long one export may
 * take, and the {@code service.name} the node reports under.
 */
public record OtlpSettings(
    String endpoint, Map<String, String> headers, Duration timeout, String serviceName) {

  public OtlpSettings {
    endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new IllegalArgumentException(
          "switchboard.otlp.endpoint must be an http:// or https:// URL, not " + endpoint);
    }
    headers = Map.copyOf(headers);
  }

  /** Reads {@code switchboard.otlp}. */
  public static OtlpSettings fromConfig(Config otlp) {
    return new OtlpSettings(
        otlp.getString("endpoint"),
        headers(otlp.getString("headers")),
        otlp.getDuration("timeout"),
        otlp.getString("service-name"));
  }

  /**
   * {@code key=value} pairs separated by commas, as OTEL_EXPORTER_OTLP_HEADERS writes them; an
   * empty text means none.
   */
  static Map<String, String> headers(String text) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException(
            "switchboard.otlp.headers takes key=value pairs separated by commas; got '"
                + pair.trim()
                + "'");
      }
      headers.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
    }
    return headers;
  }

  String url(String signal) {
    return endpoint + "/v1/" + signal;
  }
}
