package io.switchboard.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a command prints its result: in {@link Format#JSON} the server's JSON as it came (so
 * scripts see every field), in {@link Format#TABLE} what the command chose to show. Progress and
 * hints go to standard error, so that standard output stays the result alone.
 */
public final class Output {

  private final PrintWriter out;
  private final PrintWriter err;
  private final Format format;
  private final ObjectMapper json;

  public Output(PrintWriter out, PrintWriter err, Format format, ObjectMapper json) {
    this.out = out;
    this.err = err;
    this.format = format;
    this.json = json;
  }

  public boolean json() {
    return format == Format.JSON;
  }

  public PrintWriter out() {
    return out;
  }

  /** The result: {@code node} as JSON, or else {@code table}'s rendering of it. */
  public void show(JsonNode node, Runnable table) {
    if (json()) {
      printJson(node);
    } else {
      table.run();
      out.flush();
    }
  }

  public void printJson(Object value) {
    try {
      out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code name: value} lines, names aligned. */
  public void fields(List<Map.Entry<String, String>> fields) {
    int width = 0;
    for (Map.Entry<String, String> field : fields) {
      width = Math.max(width, field.getKey().length());
    }
    for (Map.Entry<String, String> field : fields) {
      String value =
          field.getValue() == null || field.getValue().isEmpty() ? "-" : field.getValue();
      out.println(field.getKey() + ":" + " ".repeat(width - field.getKey().length() + 1) + value);
    }
    out.flush();
  }

  /** A line for people on standard error: not part of the result. */
  public void note(String line) {
    err.println(line);
    err.flush();
  }

  /** Fields in order, for {@link #fields}. */
  public static final class Fields {
    private final List<Map.Entry<String, String>> fields = new ArrayList<>();

    public Fields add(String name, String value) {
      fields.add(Map.entry(name, value == null ? "" : value));
      return this;
    }

    public List<Map.Entry<String, String>> list() {
      return fields;
    }
  }
}
