package dev.coba.example

import dev.coba.client.CobaClient
import dev.coba.client.CobaRejectedException
import dev.coba.client.RemoteConfig
import dev.coba.client.RunDefinition
import dev.coba.client.StepReport
import dev.coba.client.Weights
import java.time.Duration
import kotlin.math.exp

/** The tasks of this toy fine-tune, and how fast each one's validation loss falls. */
val TASKS: Map<String, Double> = mapOf("java" to 0.02, "kotlin" to 0.035, "sql" to 0.05)

/** A stand-in for an evaluation pass: the validation loss of each task after [step]. */
fun validationLosses(step: Long): Map<String, Double> =
    TASKS.entries.withIndex().associate { (i, e) -> e.key to 2.0 * exp(-e.value * step) + 0.1 * i }

/**
 * A training loop with CoBa: each step mixes the per-task losses with the current weights,
 * then reports the validation losses and gets the weights for the next step.
 */
fun train(client: CobaClient, steps: Int, log: (String) -> Unit = ::println): Weights {
    var weights = client.weights() // uniform before the first step
    for (step in 0L until steps) {
        val trainLoss = weights.combine(validationLosses(step)) // what backward() would get
        weights = client.report(StepReport.builder(step).valLosses(validationLosses(step)).build())
        // step() is @Nullable in Java, so Kotlin sees Long?: null means "before any step"
        val after: Long = weights.step() ?: -1L
        if (weights.fallback()) {
            log("step $step: sidecar unavailable, keeping $weights")
        } else if (step % 10 == 9L) {
            log("step $after: loss %.4f, next weights %s".format(trainLoss, weights.asMap()))
        }
    }
    return weights
}

fun definition(runId: String): RunDefinition =
    RunDefinition.builder(runId).tasks(TASKS.keys.toList()).method("coba").build()

/**
 * Runs the loop in process, and against the sidecar when [env] has `COBA_URL` (the default
 * URL is only used when `COBA_URL` is set empty); `COBA_TOKEN` is the bearer token. Returns
 * the final weights by client kind.
 */
fun runExample(env: Map<String, String>, steps: Int = 30, log: (String) -> Unit = ::println): Map<String, Weights> {
    val results = linkedMapOf<String, Weights>()
    CobaClient.inProcess(definition("kotlin-example")).use { client ->
        results["in-process"] = train(client, steps, log)
    }
    val url: String? = env["COBA_URL"]
    if (url != null) {
        val runId = "kotlin-example-${System.currentTimeMillis()}"
        val config = RemoteConfig.builder(url.ifBlank { RemoteConfig.DEFAULT_URL }, definition(runId))
            .token(env["COBA_TOKEN"]) // String? fits: token(@Nullable String)
            .callTimeout(Duration.ofSeconds(2))
            .build()
        try {
            CobaClient.remote(config).use { client -> results["remote"] = train(client, steps, log) }
        } catch (e: CobaRejectedException) {
            log("the sidecar refused: ${e.status()} ${e.field() ?: ""} ${e.message}")
            throw e
        }
    }
    results.forEach { (kind, w) -> log("$kind: final weights ${w.asMap()} (after step ${w.step()})") }
    return results
}

fun main() {
    runExample(System.getenv())
}
