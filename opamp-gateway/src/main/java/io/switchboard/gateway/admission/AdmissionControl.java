package io.switchboard.gateway.admission;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether this node takes on more agents. A node that is full (sessions) or flooded (new
 * connections or polls per second, as in a reconnect storm) turns agents away with a jittered retry
 * delay instead of queueing them: the wave spreads out over time and the node stays up.
 */
public final class AdmissionControl {

  /** Why an agent was turned away; also the {@code reason} tag of the shedding metric. */
  public enum Refusal {
    MAX_SESSIONS("max-sessions"),
    CONNECTION_RATE("connection-rate"),
    POLL_RATE("poll-rate");

    private final String tag;

    Refusal(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  private final int maxSessions;
  private final TokenBucket connections;
  private final TokenBucket polls;
  private final Duration retryAfter;
  private final Duration retryJitter;
  private final AtomicInteger sessions = new AtomicInteger();

  public AdmissionControl(
      int maxSessions,
      int connectionsPerSecond,
      int pollsPerSecond,
      Duration retryAfter,
      Duration retryJitter) {
    this.maxSessions = maxSessions;
    this.connections = new TokenBucket(connectionsPerSecond);
    this.polls = new TokenBucket(pollsPerSecond);
    this.retryAfter = retryAfter;
    this.retryJitter = retryJitter;
  }

  /**
   * {@code switchboard.opamp.admission}: sessions held at most, new connections, polls and new
   * agents accepted per second, and the delay told to turned-away agents (base plus a random part).
   */
  public record Settings(
      int maxSessions,
      int connectionsPerSecond,
      int pollsPerSecond,
      int newAgentsPerSecond,
      Duration retryAfter,
      Duration retryJitter) {

    public static Settings fromConfig(Config admission) {
      return new Settings(
          admission.getInt("max-sessions"),
          admission.getInt("max-new-connections-per-second"),
          admission.getInt("max-polls-per-second"),
          admission.getInt("max-new-agents-per-second"),
          admission.getDuration("retry-after"),
          admission.getDuration("retry-jitter"));
    }
  }

  public static AdmissionControl of(Settings settings) {
    return new AdmissionControl(
        settings.maxSessions(),
        settings.connectionsPerSecond(),
        settings.pollsPerSecond(),
        settings.retryAfter(),
        settings.retryJitter());
  }

  /**
   * Whether a new WebSocket connection may be upgraded, or why not. It takes no session slot: the
   * connection takes one with {@link #sessionStarted()} once it runs, so that a client that aborts
   * its handshake before then holds nothing (a burst of upgrades can go a few past the limit).
   */
  public Optional<Refusal> admitSession() {
    if (sessions.get() >= maxSessions) {
      return Optional.of(Refusal.MAX_SESSIONS);
    }
    if (!connections.tryTake()) {
      return Optional.of(Refusal.CONNECTION_RATE);
    }
    return Optional.empty();
  }

  /** A connection runs: it holds a session slot until {@link #releaseSession()}. */
  public void sessionStarted() {
    sessions.incrementAndGet();
  }

  public void releaseSession() {
    sessions.decrementAndGet();
  }

  /** Session slots held now. */
  public int sessions() {
    return sessions.get();
  }

  /** Admits one HTTP poll, or says why not. */
  public Optional<Refusal> admitPoll() {
    return polls.tryTake() ? Optional.empty() : Optional.of(Refusal.POLL_RATE);
  }

  /**
   * When a refused agent should come back: the base delay plus a random part, so waves spread out.
   */
  public Duration retryAfter() {
    long jitterMillis = retryJitter.toMillis();
    return retryAfter.plusMillis(
        jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1));
  }

  /** A token bucket holding at most one second's worth of tokens, refilled continuously. */
  private static final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long refilledAt = System.nanoTime();

    TokenBucket(int perSecond) {
      this.capacity = perSecond;
      this.perNano = perSecond / 1e9;
      this.tokens = perSecond;
    }

    synchronized boolean tryTake() {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
      refilledAt = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
