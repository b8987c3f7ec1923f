package io.switchboard.api.dispatch;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One page of envelopes, newest first; {@code next} is the {@code before} of the next page, or null. */
record DispatchPage(@JsonProperty("dispatches") List<DispatchView> dispatches, @JsonProperty("next") String next) {}
