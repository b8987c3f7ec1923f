package io.switchboard.gateway.websocket;

import io.switchboard.gateway.session.Outbound;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.javadsl.Flow;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Upgrades a connection to Pekko HTTP's own WebSocket stack, except that the session chooses the
 * status code of the close frame. Pekko's public message API closes with 1000 whenever the handler
 * completes, but an agent that sent an oversized message must be told 1009 (OpAMP spec, WebSocket
 * transport; RFC 6455 7.4.1). So this builds the same stack that {@code handleMessagesWith} builds,
 * on Pekko HTTP's internal frame-level API, and puts the session's code into the one close frame
 * the stack writes after the handler completed. {@code OpampWireTest} pins the codes an agent sees,
 * so an upgrade of Pekko HTTP that changes these internals fails there.
 */
final class CloseCodeUpgrade {

  /** RFC 6455, 5.5.1. */
  private static final byte CLOSE_OPCODE = 0x8;

  /** Pekko's default for how long to wait for the agent's close frame. */
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.apply(3, "seconds");

  private final WebSocketSettings settings;
  private final LoggingAdapter log;

  CloseCodeUpgrade(ActorSystem<?> system) {
    this.settings = ServerSettings.apply(system.settings().config()).websocketSettings();
    this.log = Logging.getLogger(system.classicSystem(), CloseCodeUpgrade.class);
  }

  /**
   * Answers the upgrade with {@code messages} as the handler. The close frame carries what {@code
   * closing} holds when the handler's outbound side completes.
   */
  HttpResponse handle(WebSocketUpgrade upgrade, Flow<Message, Message, NotUsed> messages, SessionClose closing) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel frameLevel)) {
      throw new IllegalStateException(
          "Pekko HTTP no longer offers frame-level WebSocket upgrades (" + upgrade.getClass().getName() + ")");
    }
    Flow<FrameEvent, FrameEvent, Object> frames =
        WebSocket$.MODULE$
            .stack(true, settings, CLOSE_TIMEOUT, log)
            .join(
                Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
                    .map(Message::adapt)
                    .via(messages)
                    .map(Message::asScala)
                    .asScala())
            .asJava()
            .map(closing::intoCloseFrame)
            // handleFrames takes any materialized value, which Java's invariant generics spell Object.
            .mapMaterializedValue(notUsed -> (Object) notUsed);
    return frameLevel.handleFrames(frames, Option.empty());
  }

  /**
   * The close code and reason a session chose, recorded when its outbound stream ends and written
   * into the close frame that follows. One per connection.
   */
  static final class SessionClose {

    private volatile Outbound.Close close = Outbound.Close.NORMAL;

    /** True for the message that ends the session's outbound stream, whose code it keeps. */
    boolean isEnd(Outbound message) {
      if (message instanceof Outbound.Close end) {
        close = end;
        return true;
      }
      return false;
    }

    /** The server's close frame with the session's code; every other frame as it is. */
    FrameEvent intoCloseFrame(FrameEvent frame) {
      Outbound.Close chosen = close;
      if (chosen.code() == Outbound.Close.NORMAL.code()
          || !(frame instanceof FrameStart start)
          || start.header().opcode().code() != CLOSE_OPCODE) {
        return frame;
      }
      return FrameEvent$.MODULE$.closeFrame(chosen.code(), chosen.reason(), Option.empty());
    }
  }
}
