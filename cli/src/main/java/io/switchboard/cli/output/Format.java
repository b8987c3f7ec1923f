package io.switchboard.cli.output;

/** How results are printed: aligned columns for people, the server's JSON for scripts. */
public enum Format {
  TABLE,
  JSON
}
