package dev.coba.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker the contract tests share: the yaml's schemas, and the protocol's types behind them. */
class OpenApiContractTest {
  private static final OpenApiContract CONTRACT = OpenApiContract.load();
  private static final String RUN =
      "{\"runId\": \"r\", \"tasks\": [\"a\"], \"method\": \"uniform\", \"params\": {},"
          + " \"worldSize\": 1, \"initialLosses\": {}, \"step\": null, \"weights\": {\"a\": 1.0}, \"objective\": \"linear\"}";

  record Answer(String method, String path, int status, String contentType, String body)
      implements OpenApiContract.Exchange {}

  @Test
  void aValidAnswerHasNoProblems() {
    assertEquals(
        List.of(),
        CONTRACT.problems(new Answer("GET", "/v1/runs/r", 200, "application/json", RUN)));
    assertEquals(List.of(), CONTRACT.problems(new Answer("DELETE", "/v1/runs/r", 204, "", "")));
    assertEquals(
        List.of(),
        CONTRACT.problems(
            new Answer(
                "GET",
                "/v1/runs/r",
                404,
                "application/json",
                "{\"error\": \"no run 'r'\", \"field\": \"runId\", \"status\": 404}")));
  }

  @Test
  void anAnswerTheSchemaTakesButTheProtocolTypeCannotReadIsAProblem() {
    String twice = RUN.replace("\"step\": null", "\"step\": null, \"step\": 3");
    List<String> problems =
        CONTRACT.problems(new Answer("GET", "/v1/runs/r", 200, "application/json", twice));
    assertTrue(
        problems.size() == 1 && problems.get(0).contains("RunBody cannot read it"),
        problems::toString);
  }

  @Test
  void anAnswerOffTheSchemaIsAProblem() {
    List<String> problems =
        CONTRACT.problems(
            new Answer(
                "GET",
                "/v1/runs/r",
                200,
                "application/json",
                RUN.replace("\"linear\"", "\"quadratic\"")));
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("$.objective")), problems::toString);
    assertTrue(
        CONTRACT
            .problems(new Answer("GET", "/v1/runs/r", 418, "application/json", "{}"))
            .get(0)
            .startsWith("status 418 is not documented"));
  }

  @Test
  void requestsAreCheckedAgainstTheSchemaTheOperationTakes() {
    assertEquals(
        List.of(),
        CONTRACT.requestProblems(
            "POST",
            "/v1/runs/r/steps",
            "application/json",
            "{\"step\": 1, \"valLosses\": {\"a\": 1.5}}"));
    assertEquals(
        List.of(), CONTRACT.requestProblems("GET", "/v1/runs/r/weights?step=1", null, null));
    assertTrue(
        CONTRACT
            .requestProblems("POST", "/v1/runs/r/steps", "application/json", "{\"step\": -1}")
            .stream()
            .anyMatch(p -> p.contains("below the minimum")));
    assertTrue(
        CONTRACT
            .requestProblems(
                "POST", "/v1/runs/r/rewind", "application/json", "{\"step\": 1, \"x\": 2}")
            .stream()
            .anyMatch(p -> p.contains("not declared")));
    assertTrue(
        CONTRACT
            .requestProblems("POST", "/v1/runs/r/steps", "text/plain", "{}")
            .get(0)
            .contains("is not documented"));
  }
}
