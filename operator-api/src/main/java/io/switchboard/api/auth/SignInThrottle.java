package io.switchboard.api.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed sign-ins per username and per client address on this node, over a sliding window: past the
 * limit, further attempts are refused (429 with Retry-After) until the oldest failure leaves the
 * window. Both keys count, so one address cannot try many names and many addresses cannot try one
 * name. Bounded: the least recently failed keys are forgotten first.
 */
public final class SignInThrottle {

  private static final int MAX_KEYS = 100_000;

  private final int perUser;
  private final int perAddress;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> failures =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> eldest) {
          return size() > MAX_KEYS;
        }
      };

  public SignInThrottle(int perUser, int perAddress, Duration window, Clock clock) {
    this.perUser = perUser;
    this.perAddress = perAddress;
    this.window = window;
    this.clock = clock;
  }

  /** How long this attempt must wait, if it may not be tried now. */
  public synchronized Optional<Duration> retryAfter(String username, String address) {
    Instant now = clock.instant();
    Optional<Duration> user = wait("user:" + username, perUser, now);
    Optional<Duration> client = wait("address:" + address, perAddress, now);
    if (user.isPresent() && client.isPresent()) {
      return user.get().compareTo(client.get()) > 0 ? user : client;
    }
    return user.isPresent() ? user : client;
  }

  public synchronized void failed(String username, String address) {
    Instant now = clock.instant();
    failures.computeIfAbsent("user:" + username, key -> new ArrayDeque<>()).addLast(now);
    failures.computeIfAbsent("address:" + address, key -> new ArrayDeque<>()).addLast(now);
  }

  /** A correct password clears the username's failures (not the address's). */
  public synchronized void succeeded(String username) {
    failures.remove("user:" + username);
  }

  private Optional<Duration> wait(String key, int limit, Instant now) {
    Deque<Instant> times = failures.get(key);
    if (times == null) {
      return Optional.empty();
    }
    for (Iterator<Instant> it = times.iterator(); it.hasNext(); ) {
      if (it.next().isBefore(now.minus(window))) {
        it.remove();
      }
    }
    if (times.isEmpty()) {
      failures.remove(key);
      return Optional.empty();
    }
    if (times.size() < limit) {
      return Optional.empty();
    }
    Duration left = Duration.between(now, times.peekFirst().plus(window));
    return Optional.of(left.isNegative() ? Duration.ZERO : left);
  }
}
