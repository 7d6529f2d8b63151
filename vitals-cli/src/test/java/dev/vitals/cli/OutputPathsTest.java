package dev.vitals.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a pipeline asks the reports and the run folder to go: refused up front, or written. */
class OutputPathsTest {
    private static Path spec(Path dir) throws IOException {
        return Files.writeString(dir.resolve("s.yaml"), "data: {source: iris}\nmodel: {layers: [{dense: 4}, relu, {dense: 3}]}\ntrain: {epochs: 1, batch: 16}\n");
    }

    @Test
    void aReportThroughALinkIsJudgedWhereTheLinkPoints(@TempDir Path dir) throws IOException {
        // a link into a folder that does not exist passed the check, and the run ended in exit 1
        Path link = Files.createSymbolicLink(dir.resolve("report.json"), dir.resolve("gone/x.json"));
        for (String command : new String[] {"train", "check"}) {
            Cli.Result r = command.equals("train")
                    ? Cli.run("train", spec(dir).toString(), "--out", dir.resolve("run").toString(), "--json", link.toString())
                    : Cli.run("check", spec(dir).toString(), "--json", link.toString());
            assertEquals(Main.BAD_INPUT, r.code(), r.all());
            assertTrue(r.err().startsWith("error: --json " + link + " (a link to " + dir.resolve("gone/x.json") + "): the folder " + dir.resolve("gone") + " does not exist"), r.err());
            assertFalse(r.out().contains("check s"), "refused before anything ran: " + r.out());
        }
        assertFalse(Files.exists(dir.resolve("run")), "no run folder left behind");
        // a link to a file that can be written is written through
        Files.createDirectories(dir.resolve("gone"));
        Cli.Result ok = Cli.run("check", spec(dir).toString(), "--json", link.toString());
        assertEquals(Main.OK, ok.code(), ok.all());
        assertTrue(Files.readString(dir.resolve("gone/x.json")).contains("\"command\" : \"check\"") || Files.readString(dir.resolve("gone/x.json")).contains("\"command\":\"check\""));
    }

    @Test
    void aReportInsideTheRunFolderToBeCreatedIsAccepted(@TempDir Path dir) throws IOException {
        // --out DIR --json DIR/report.json with DIR new: "the folder DIR does not exist", though --out creates it
        Path out = dir.resolve("runs/new");
        Cli.Result r = Cli.run("train", spec(dir).toString(), "--out", out.toString(), "--json", out.resolve("report.json").toString());
        assertTrue(r.code() == Main.OK || r.code() == Main.UNHEALTHY, r.all());
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"train\""));
        // a file in a folder under --out that the run does not create is still refused
        Cli.Result deeper = Cli.run("train", spec(dir).toString(), "--out", dir.resolve("runs/other").toString(), "--json", dir.resolve("elsewhere/r.json").toString());
        assertEquals(Main.BAD_INPUT, deeper.code(), deeper.all());
    }
}
