package dev.vitals.core.data;

import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.vitals.core.data.IdxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {
    @TempDir Path dir;

    private Path csv(String name, String text) {
        return IdxFiles.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private static CsvReader.Table read(Path p) { return CsvReader.read(p); }

    @Test void numbersWithoutHeader() {
        CsvReader.Table t = read(csv("a.csv", "1,2,0\n3.5,-4e2,2\n"));
        assertNull(t.header());
        Dataset d = t.data();
        assertEquals(Shape.of(2), d.exampleShape());
        assertArrayEquals(new float[] {1, 2, 3.5f, -400}, d.x());
        assertArrayEquals(new int[] {0, 2}, d.labels());
        assertEquals(3, d.classes(), "numeric labels are class indices: 0..2");
    }

    @Test void headerDetectedByAWordAmongTheFeatures() {
        CsvReader.Table t = read(csv("h.csv", "height,weight,label\n1,2,0\n3,4,1\n"));
        assertEquals(List.of("height", "weight", "label"), t.header());
        assertEquals(2, t.data().size());
    }

    @Test void headerWhoseOnlyWordIsTheLabelAboveNumericLabels() {
        CsvReader.Table t = read(csv("h.csv", "0,1,class\n1,2,0\n3,4,1\n"));
        assertEquals(List.of("0", "1", "class"), t.header());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.data().x());
    }

    @Test void numberedColumnsAreAHeaderOverWordLabels() {
        // "1,2,3,4,class" was a data row whose label "class" became a class of one example
        CsvReader.Table t = read(csv("n.csv", "1,2,3,4,class\n2.1,1.9,0.5,2.4,dog\n0.1,0.2,0.3,0.4,cat\n"));
        assertEquals(List.of("1", "2", "3", "4", "class"), t.header());
        assertEquals(List.of("cat", "dog"), t.data().classNames());
        // pandas' default header numbers the label's column too: "4" was a class of one example
        CsvReader.Table p = read(csv("p.csv", "0,1,2,3,4\n2.1,1.9,0.5,2.4,2\n0.1,0.2,0.3,0.4,1\n"));
        assertEquals(5, p.header().size());
        assertEquals(2, p.data().size());
        // a data row of counts is not a header for happening to start 1, 2, 3
        assertNull(read(csv("c.csv", "1,2,3,0\n4,5,6,1\n")).header());
    }

    @Test void aMissingValueInTheFirstRowIsAnErrorNotAHeader() {
        // the row was taken for a header and dropped without a word; on any later line it is an error
        Path p = csv("na.csv", "1.0,NA,2.0,3.0,1\n2.5,0.1,0.5,0.4,2\n");
        assertMessage(() -> read(p), p + " line 1, column 2: 'NA' is not a number; expected a number (features first, the label last; write NaN for a missing value)");
        Path q = csv("q.csv", "a,b,label\n1,2,cat\n3,4,?\n5,6,dog\n");
        assertMessage(() -> read(q), q + " line 3, column 3 (label): label '?' marks a missing value; expected a class number or name in the last column (drop the row)");
    }

    @Test void anEmptyValueInTheFirstRowIsAnErrorNotAHeader() {
        // "1,,0" on line 1 was taken for a header and the row dropped without a word; on line 2 it is an error
        Path p = csv("e1.csv", "1,,0\n2,3,1\n3,3,0\n");
        assertMessage(() -> read(p), p + " line 1, column 2: empty value; expected a number (write NaN for a missing value)");
        Path q = csv("e2.csv", "\"\",2,0\n2,3,1\n");
        assertMessage(() -> read(q), q + " line 1, column 1: empty value; expected a number (write NaN for a missing value)");
        Path r = csv("e3.csv", "1, ,0\n2,3,1\n");
        assertMessage(() -> read(r), r + " line 1, column 2: empty value; expected a number (write NaN for a missing value)");
        // an empty name beside words is still a header (pandas' unnamed index column)
        assertEquals(List.of("", "a", "b", "label"), read(csv("e4.csv", ",a,b,label\n0,1,2,0\n1,3,4,1\n")).header());
        // and so is pandas' header over an unnamed index and numbered columns
        CsvReader.Table t = read(csv("e5.csv", ",0,1,2\n0,1.5,2.5,0\n1,3.5,4.5,1\n"));
        assertEquals(4, t.header().size());
        assertEquals(2, t.data().size());
    }

    @Test void aNumberBeyondFloatRangeIsNotReadAsInfinity() {
        Path p = csv("huge.csv", "a,b,y\n0.5,1.23e+200,1\n0.1,2,0\n");
        assertMessage(() -> read(p), p + " line 2, column 2 (b): 1.23e+200 is beyond the range of a 32-bit float (about ±3.4e38); expected values within it (rescale the column)");
        assertTrue(Float.isInfinite(read(csv("inf.csv", "0.5,inf,1\n0.1,2,0\n")).data().x()[1]), "an infinity written as one is a value");
    }

    @Test void everyByteOrderMarkIsDropped() {
        // a second mark made the first row a "header" and it was dropped
        CsvReader.Table t = read(csv("b.csv", "\uFEFF\uFEFF1.5,2,0\n3,4,1\n"));
        assertNull(t.header());
        assertEquals(2, t.data().size());
    }

    @Test void wordLabelsWithoutHeaderKeepTheFirstRow() {
        CsvReader.Table t = read(csv("w.csv", "5.1,3.5,setosa\n6.2,2.9,versicolor\n5.0,3.6,setosa\n"));
        assertNull(t.header());
        Dataset d = t.data();
        assertEquals(3, d.size());
        assertEquals(List.of("setosa", "versicolor"), d.classNames());
        assertArrayEquals(new int[] {0, 1, 0}, d.labels());
        assertEquals(2, d.classes());
    }

    @Test void wordLabelsMapToClassesInSortedOrder() {
        Dataset d = read(csv("w.csv", "x,y\n1,dog\n2,cat\n3,emu\n4,cat\n")).data();
        assertEquals(List.of("cat", "dog", "emu"), d.classNames());
        assertArrayEquals(new int[] {1, 0, 2, 0}, d.labels());
    }

    @Test void nanAndInfinitySpellingsAreValues() {
        Dataset d = read(csv("n.csv", "NaN,nan,inf,-Infinity,+inf,0\n1,2,3,4,5,1\n")).data();
        float[] x = d.x();
        assertTrue(Float.isNaN(x[0]) && Float.isNaN(x[1]));
        assertEquals(Float.POSITIVE_INFINITY, x[2]);
        assertEquals(Float.NEGATIVE_INFINITY, x[3]);
        assertEquals(Float.POSITIVE_INFINITY, x[4]);
        assertEquals(2, d.size(), "no header: NaN is a number");
    }

    @Test void byteOrderMarkAndCrlf() {
        Path p = csv("bom.csv", "\uFEFFa,b,label\r\n1,2,0\r\n3,4,1\r\n");
        CsvReader.Table t = read(p);
        assertEquals(List.of("a", "b", "label"), t.header(), "the BOM is not part of the first name");
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.data().x());
        assertArrayEquals(new int[] {0, 1}, t.data().labels());
    }

    @Test void gzipRecognisedByContentWhateverTheName() {
        byte[] z = IdxFiles.gzip("1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8));
        for (String name : List.of("z.csv.gz", "z.csv")) {
            Dataset d = read(IdxFiles.write(dir.resolve(name), z)).data();
            assertArrayEquals(new float[] {1, 2, 3, 4}, d.x(), name);
        }
    }

    @Test void quotedFieldsAndBlankLines() {
        Dataset d = read(csv("q.csv", "\"a, b\",c,label\n\n\"1\",2,\"0\"\n   \n3,4,1\n")).data();
        assertArrayEquals(new float[] {1, 2, 3, 4}, d.x());
        assertEquals(2, d.size());
    }

    @Test void aQuotedFieldMayHoldLineBreaks() {
        // RFC 4180: the label "fish\nbowl" spans two lines; the row after it is numbered by its own line
        Dataset d = read(csv("n.csv", "a,b,label\n1,2,\"fish\nbowl\"\n3,4,cat\n5,6,\"fish\nbowl\"\n")).data();
        assertEquals(List.of("cat", "fish\nbowl"), d.classNames());
        assertArrayEquals(new int[] {1, 0, 1}, d.labels());
        Path p = csv("m.csv", "a,b,label\n1,2,\"fish\nbowl\"\n3,x,cat\n");
        assertMessage(() -> read(p), p + " line 4, column 2 (b): 'x' is not a number; expected a number (features first, the label last)");
    }

    @Test void nonIntegerLabelsAreKeptForTheDoctor() {
        Dataset d = read(csv("f.csv", "1,0.5\n2,-1\n3,2\n")).data();
        assertArrayEquals(new float[] {0.5f, -1, 2}, d.labelValues());
        assertArrayEquals(new int[] {-1, -1, 2}, d.labels(), "not class indices: -1, for DATA_LABEL_RANGE to explain");
    }

    // ---- errors: each names the file, the line and the column -------------------------------

    @Test void raggedRows() {
        Path p = csv("r.csv", "1,2,3,0\n4,5,6,1\n7,8,1\n");
        assertMessage(() -> read(p), p + " line 3: 3 values (column 4 onwards missing); expected 4 (3 features and the label) as in line 1");
        Path q = csv("s.csv", "a,b,c\n1,2,0\n3,4,5,1\n");
        assertMessage(() -> read(q), q + " line 3: 4 values (extra values from column 4); expected 3 (2 features and the label) as in line 2");
    }

    @Test void textInANumberColumnNamesTheHeaderColumn() {
        Path p = csv("t.csv", "height,weight,label\n1,2,0\n3,heavy,1\n");
        assertMessage(() -> read(p), p + " line 3, column 2 (weight): 'heavy' is not a number; expected a number (features first, the label last)");
        Path q = csv("u.csv", "1,2,0\n3,4x,1\n");
        assertMessage(() -> read(q), q + " line 2, column 2: '4x' is not a number; expected a number (features first, the label last)");
        Path r = csv("v.csv", "1,2,0\n0x1F,4,1\n");
        assertMessage(() -> read(r), r + " line 2, column 1: '0x1F' is not a number; expected a number (features first, the label last)");
    }

    @Test void emptyValue() {
        Path p = csv("e.csv", "1,2,0\n3,,1\n");
        assertMessage(() -> read(p), p + " line 2, column 2: empty value; expected a number (write NaN for a missing value)");
    }

    @Test void emptyLabel() {
        Path p = csv("e.csv", "1,2,0\n3,4, \n");
        assertMessage(() -> read(p), p + " line 2, column 3: empty label; expected a class number or name in the last column");
    }

    @Test void mixedNumericAndWordLabels() {
        Path p = csv("m.csv", "1,cat\n2,dog\n3,1\n");
        assertMessage(() -> read(p), p + " line 3, column 2: label '1' is a number but the labels above are words; expected all class numbers or all class names");
        Path q = csv("n.csv", "f,label\n1,0\n2,1\n3,dog\n");
        assertMessage(() -> read(q), q + " line 4, column 2 (label): label 'dog' is a word but the labels above are numbers; expected all class numbers or all class names");
    }

    @Test void oneColumnOnly() {
        Path p = csv("one.csv", "value\n1\n2\n");
        assertMessage(() -> read(p), p + " line 2, column 1: one value per line; expected features followed by a label in the last column, separated by commas");
    }

    @Test void emptyFileAndHeaderOnly() {
        Path p = csv("empty.csv", "");
        assertMessage(() -> read(p), p + ": is empty; expected lines of numbers with the label in the last column");
        Path q = csv("header.csv", "a,b,label\n\n");
        assertMessage(() -> read(q), q + ": no data rows after the header line; expected lines of numbers with the label in the last column");
    }

    @Test void unclosedQuote() {
        Path p = csv("q.csv", "1,2,0\n\"3,4,1\n");
        assertMessage(() -> read(p), p + " line 2: a double quote is never closed; expected \"...\" around a quoted field");
    }

    @Test void binaryFilesAreNotText() throws Exception {
        Path png = IdxFiles.write(dir.resolve("image.csv"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13});
        assertMessage(() -> read(png), png + " line 1: bytes that are not UTF-8 text; expected a CSV text file (save it as UTF-8)");
        Path nul = IdxFiles.write(dir.resolve("nul.csv"), "1,2,0\n3,4\0,1\n".getBytes(StandardCharsets.UTF_8));
        assertMessage(() -> read(nul), nul + " line 2: contains NUL bytes; this is a binary file, expected CSV text");
        Path latin1 = IdxFiles.write(dir.resolve("latin1.csv"), "a,b\n1,0\n2,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertMessage(() -> read(latin1), latin1 + " line 3: bytes that are not UTF-8 text; expected a CSV text file (save it as UTF-8)");
    }

    @Test void utf16TextIsNamedAsSuch() throws Exception {
        // Excel's "Unicode text" and PowerShell write UTF-16: once called a binary file
        String text = "a,b,y\n1,2,0\n3,4,1\n";
        Path bom = IdxFiles.write(dir.resolve("bom.csv"), ("\uFEFF" + text).getBytes(StandardCharsets.UTF_16LE));
        assertMessage(() -> read(bom), bom + ": UTF-16 text (as Excel's \"Unicode text\" or PowerShell writes it); expected UTF-8: save it as UTF-8 (iconv -f UTF-16 -t UTF-8)");
        Path bare = IdxFiles.write(dir.resolve("bare.csv"), text.getBytes(StandardCharsets.UTF_16BE));
        assertMessage(() -> read(bare), bare + ": UTF-16 text (as Excel's \"Unicode text\" or PowerShell writes it); expected UTF-8: save it as UTF-8 (iconv -f UTF-16 -t UTF-8)");
    }

    @Test void aFileCompressedTwiceIsNamedAsSuch() throws java.io.IOException {
        // read as "contains NUL bytes; this is a binary file"
        Path p = dir.resolve("twice.csv.gz");
        Files.write(p, IdxFiles.gzip(IdxFiles.gzip("1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8))));
        assertMessage(() -> read(p), p + ": is compressed twice: once decompressed it is gzip data again (1f 8b), expected CSV text; gunzip it once");
    }

    @Test void truncatedGzip() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) sb.append(i).append(',').append(i * 7 % 13).append(',').append(i % 3).append('\n');
        byte[] z = IdxFiles.gzip(sb.toString().getBytes(StandardCharsets.UTF_8));
        Path p = IdxFiles.write(dir.resolve("t.csv.gz"), java.util.Arrays.copyOf(z, z.length / 2));
        assertMessage(() -> read(p), p + ": truncated gzip data (the compressed stream ends early)");
    }

    @Test void missingFileAndFolderThroughSources() throws Exception {
        assertMessage(() -> Sources.load("csv:nope.csv", Map.of(), dir, 1), dir.resolve("nope.csv") + ": no such file; expected a CSV file (label in the last column)");
        Files.createDirectories(dir.resolve("folder"));
        assertMessage(() -> Sources.load("csv:folder", Map.of(), dir, 1), dir.resolve("folder") + ": is a folder, expected a CSV file");
        csv("ok.csv", "1,2,0\n");
        assertMessage(() -> Sources.load("csv:ok.csv", Map.of("header", true), dir, 1), "data.options.header: unknown option for csv:ok.csv, which takes no options");
    }

    @Test void sourceResolvesAgainstTheSpecFolder() {
        csv("sub/data.csv", "a,b,y\n1,2,cat\n3,4,dog\n");
        LoadedData d = Sources.load("csv:sub/data.csv", Map.of(), dir, 1);
        assertEquals("csv data.csv: 2 examples, 2 features, 2 classes", d.description());
        assertNull(d.ownTest());
    }

    @Test void aHeaderThatDoesNotNameEveryColumnIsSaid() {
        // scikit-learn's first line (rows, features, class names) over rows of another width was read as a header without a word
        csv("sk.csv", "4,2,a,b\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        assertEquals("csv sk.csv: 4 examples, 2 features, 2 classes; its header line names 4 columns for 3 values a row",
                Sources.load("csv:sk.csv", Map.of(), dir, 1).description());
    }

    @Test void realValuedLabelsAreDescribedByTheirRange() {
        // "800 examples, 5 features, 0 classes" said nothing about targets of -11.97 to 13.43
        csv("reg.csv", "1,2,-1.5\n3,4,2.25\n5,6,0.5\n");
        assertEquals("csv reg.csv: 3 examples, 2 features, labels from -1.5 to 2.25 (none a class index)", Sources.load("csv:reg.csv", Map.of(), dir, 1).description());
        // a price column, some of its values whole: "382391 classes"
        csv("price.csv", "1,2,1.5\n3,4,382390\n5,6,0.25\n");
        assertEquals("csv price.csv: 3 examples, 2 features, labels from 0.25 to 382390.0 (2 of 3 not a class index)", Sources.load("csv:price.csv", Map.of(), dir, 1).description());
        // word labels that an export spelt three ways
        csv("case.csv", "a,b,answer\n1,2,YES\n3,4,no\n5,6,Yes\n7,8,yes\n");
        assertEquals("csv case.csv: 4 examples, 2 features, 4 classes; class names 'YES', 'Yes' and 'yes' differ only in case or spaces: each is a class of its own",
                Sources.load("csv:case.csv", Map.of(), dir, 1).description());
        // 1-based labels: counted to the largest, class 0 empty
        csv("one.csv", "1,2,1\n3,4,2\n5,6,3\n");
        assertEquals("csv one.csv: 3 examples, 2 features, 4 classes (counted to the largest label, 3; 1 class without an example)", Sources.load("csv:one.csv", Map.of(), dir, 1).description());
    }

    @Test void bundledSetsStillLoad() {
        LoadedData iris = Sources.load("iris", Map.of(), null, 1);
        assertEquals(150, iris.data().size());
        assertEquals(List.of("setosa", "versicolor", "virginica"), iris.data().classNames());
        assertArrayEquals(new int[] {50, 50, 50}, iris.data().classCounts());
        LoadedData digits = Sources.load("digits", Map.of(), null, 1);
        assertEquals(1797, digits.data().size());
        assertEquals(64, digits.data().features());
        LoadedData bc = Sources.load("breast-cancer", Map.of(), null, 1);
        assertEquals(569, bc.data().size());
        assertEquals(List.of("malignant", "benign"), bc.data().classNames());
        assertEquals(178, Sources.load("wine", Map.of(), null, 1).data().size());
    }
}
