package io.switchboard.api.envelopes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One page of envelopes, newest first; {@code next} is the {@code before} of the next page, or
 * null.
 */
record EnvelopePage(
    @JsonProperty("envelopes") List<EnvelopeView> envelopes, @JsonProperty("next") String next) {}
