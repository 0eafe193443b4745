package dev.coba.example

import dev.coba.sidecar.http.ServerConfig
import dev.coba.sidecar.http.SidecarServer
import dev.coba.sidecar.runs.MemoryStore
import dev.coba.sidecar.runs.RegistryLimits
import dev.coba.sidecar.runs.RunRegistry
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class MainTest {
    @Test
    fun runsInProcess() {
        val lines = mutableListOf<String>()
        val results = runExample(emptyMap(), steps = 30) { lines += it }
        val w = results.getValue("in-process")
        assertEquals(29L, w.step())
        assertEquals(1.0, w.asMap().values.sum(), 1e-12)
        assertTrue(lines.any { it.startsWith("in-process: final weights") }, lines.toString())
    }

    @Test
    fun runsAgainstTheSidecarWithTheSameWeights() {
        val server = SidecarServer.create(
            RunRegistry.open(MemoryStore(), RegistryLimits.defaults()),
            ServerConfig("127.0.0.1", 0, "kotlin-token"),
        ).start()
        try {
            val env = mapOf("COBA_URL" to "http://127.0.0.1:${server.port()}", "COBA_TOKEN" to "kotlin-token")
            val results = runExample(env, steps = 30) {}
            val local = results.getValue("in-process")
            val remote = results.getValue("remote")
            assertTrue(remote.fresh())
            assertEquals(local.asMap(), remote.asMap())
            assertEquals(local.step(), remote.step())
        } finally {
            server.stop()
        }
    }
}
