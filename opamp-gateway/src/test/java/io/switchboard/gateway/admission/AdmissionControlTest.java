package io.switchboard.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdmissionControlTest {

  @Test
  void refusesSessionsBeyondTheMaximumUntilOneIsReleased() {
    AdmissionControl admission =
        new AdmissionControl(2, 1000, 1000, Duration.ofSeconds(30), Duration.ZERO);

    assertEquals(Optional.empty(), admission.admitSession());
    admission.sessionStarted();
    assertEquals(Optional.empty(), admission.admitSession());
    admission.sessionStarted();
    assertEquals(Optional.of(AdmissionControl.Refusal.MAX_SESSIONS), admission.admitSession());

    admission.releaseSession();
    assertEquals(Optional.empty(), admission.admitSession());
    assertEquals(1, admission.sessions());
  }

  @Test
  void refusesNewConnectionsBeyondTheRateWithoutTakingASlot() {
    AdmissionControl admission =
        new AdmissionControl(1000, 5, 1000, Duration.ofSeconds(30), Duration.ZERO);

    int admitted = 0;
    for (int i = 0; i < 50; i++) {
      if (admission.admitSession().isEmpty()) {
        admitted++;
      }
    }

    assertTrue(admitted >= 5 && admitted < 50, "admitted " + admitted);
    assertEquals(0, admission.sessions(), "a refused or merely admitted upgrade holds no slot");
  }

  @Test
  void refusesPollsBeyondTheRate() {
    AdmissionControl admission =
        new AdmissionControl(1000, 1000, 3, Duration.ofSeconds(30), Duration.ZERO);

    long refused =
        java.util.stream.IntStream.range(0, 30)
            .filter(i -> admission.admitPoll().isPresent())
            .count();

    assertTrue(refused > 0, "some polls are refused");
  }

  @Test
  void retryDelaysAreJitteredWithinTheirBounds() {
    AdmissionControl admission =
        new AdmissionControl(1, 1, 1, Duration.ofSeconds(30), Duration.ofSeconds(30));

    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      Duration delay = admission.retryAfter();
      assertTrue(
          delay.compareTo(Duration.ofSeconds(30)) >= 0
              && delay.compareTo(Duration.ofSeconds(60)) <= 0);
      seen.add(delay);
    }
    assertTrue(seen.size() > 10, "delays differ, so a wave of refused agents spreads out");
  }
}
