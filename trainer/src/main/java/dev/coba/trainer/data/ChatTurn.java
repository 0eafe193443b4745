package dev.coba.trainer.data;

import java.util.Locale;
import java.util.Objects;

/** One turn of an MFTCoder {@code chat_rounds} conversation. */
public record ChatTurn(Role role, String content) {

  /** The roles; MFTCoder's {@code human}/{@code bot} and their aliases {@code user}/{@code assistant}. */
  public enum Role {
    SYSTEM,
    HUMAN,
    BOT;

    /** The role named {@code name} (case-insensitive), or IllegalArgumentException naming the accepted ones. */
    public static Role parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "system" -> SYSTEM;
        case "human", "user" -> HUMAN;
        case "bot", "assistant" -> BOT;
        default ->
            throw new IllegalArgumentException(
                "unknown role \"" + name + "\" (expected system, human, user, bot or assistant)");
      };
    }

    /** The header written before the turn's content: {@code system}, {@code human} or {@code bot}, then a newline. */
    public String header() {
      return name().toLowerCase(Locale.ROOT) + "\n";
    }
  }

  public ChatTurn {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
