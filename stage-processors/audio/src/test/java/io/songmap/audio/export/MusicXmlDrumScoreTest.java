package io.songmap.audio.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.validation.Schema;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class MusicXmlDrumScoreTest {

    private static Schema schema;
    private final XPath xpath = XPathFactory.newInstance().newXPath();

    @BeforeAll
    static void loadSchema() throws Exception {
        schema = MusicXmlSchema.load();
    }

    @Test
    void aGrooveIsValidMusicXml40() throws Exception {
        byte[] xml = MusicXmlDrumScore.write(SongMapFixtures.twoBarsAt120());
        Files.write(Path.of("target", "groove.musicxml"), xml);

        assertThat(MusicXmlSchema.violations(schema, xml)).isEmpty();
        String text = new String(xml, StandardCharsets.UTF_8);
        assertThat(text).contains("<!DOCTYPE score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\"");
    }

    @Test
    void triplesRestsAndEarlyHitsAreValidToo() throws Exception {
        byte[] xml = MusicXmlDrumScore.write(shuffleWithPickup());
        Files.write(Path.of("target", "shuffle.musicxml"), xml);

        assertThat(MusicXmlSchema.violations(schema, xml)).isEmpty();
    }

    @Test
    void partListDeclaresTheKitOnChannel10() throws Exception {
        Document doc = MusicXmlSchema.parse(MusicXmlDrumScore.write(SongMapFixtures.twoBarsAt120()));

        assertThat(str(doc, "count(//score-part/score-instrument)")).isEqualTo("6");
        assertThat(str(doc, "//midi-instrument[@id='P1-I37']/midi-unpitched")).isEqualTo("37");
        assertThat(str(doc, "count(//midi-instrument[midi-channel='10'])")).isEqualTo("6");
        assertThat(str(doc, "//measure[1]/attributes/clef/sign")).isEqualTo("percussion");
        assertThat(str(doc, "//measure[1]/attributes/divisions")).isEqualTo("12");
        assertThat(str(doc, "//measure[1]/attributes/time/beats")).isEqualTo("4");
        assertThat(str(doc, "//measure[1]/direction/sound/@tempo")).isEqualTo("120");
        assertThat(str(doc, "//measure[1]/direction/direction-type/metronome/per-minute")).isEqualTo("120");
    }

    @Test
    void kitPiecesSitAtTheirStaffPositionsWithTheirNoteheadsAndStems() throws Exception {
        Document doc = MusicXmlSchema.parse(MusicXmlDrumScore.write(SongMapFixtures.twoBarsAt120()));

        assertThat(noteAt(doc, "P1-I37")).isEqualTo("F4 voice 2 down normal");
        assertThat(noteAt(doc, "P1-I39")).isEqualTo("C5 voice 1 up normal");
        assertThat(noteAt(doc, "P1-I43")).isEqualTo("G5 voice 1 up x");
        assertThat(noteAt(doc, "P1-I52")).isEqualTo("F5 voice 1 up x");
        assertThat(noteAt(doc, "P1-I50")).isEqualTo("A5 voice 1 up x");
        assertThat(noteAt(doc, "P1-I49")).isEqualTo("D5 voice 1 up normal");
    }

    @Test
    void everyVoiceFillsEveryMeasure() throws Exception {
        Document doc = MusicXmlSchema.parse(MusicXmlDrumScore.write(shuffleWithPickup()));
        NodeList measures = (NodeList) xpath.evaluate("//measure", doc, XPathConstants.NODESET);

        for (int m = 0; m < measures.getLength(); m++) {
            Element measure = (Element) measures.item(m);
            for (String voice : List.of("1", "2")) {
                NodeList notes = (NodeList) xpath.evaluate("note[voice='" + voice + "' and not(chord)]/duration",
                        measure, XPathConstants.NODESET);
                int total = 0;
                for (int i = 0; i < notes.getLength(); i++) {
                    total += Integer.parseInt(notes.item(i).getTextContent());
                }
                assertThat(total).as("measure %d voice %s", m + 1, voice).isIn(0, 48);
            }
            assertThat(xpath.evaluate("sum(note[voice='1' and not(chord)]/duration)", measure)).isEqualTo("48");
        }
    }

    @Test
    void aBarOfStraightEighthsIsBeamedInPairs() throws Exception {
        Document doc = MusicXmlSchema.parse(MusicXmlDrumScore.write(SongMapFixtures.twoBarsAt120()));

        List<String> firstBeat = new ArrayList<>();
        NodeList notes = (NodeList) xpath.evaluate("//measure[1]/note[voice='1' and not(chord)]", doc,
                XPathConstants.NODESET);
        for (int i = 0; i < 4; i++) {
            Element note = (Element) notes.item(i);
            firstBeat.add(xpath.evaluate("type", note) + ":" + xpath.evaluate("beam[@number='1']", note));
        }
        assertThat(firstBeat).containsExactly("eighth:begin", "eighth:end", "eighth:begin", "eighth:end");
    }

    @Test
    void sixteenthsGetASecondBeamAndALoneSixteenthAHook() throws Exception {
        SongMap base = SongMapFixtures.twoBarsAt120();
        // Beat 1: four hi-hat sixteenths; beat 2: dotted eighth + sixteenth (0.5 s per beat).
        List<DrumHit> hits = List.of(new DrumHit(0.0, DrumInstrument.HIHAT, 80),
                new DrumHit(0.125, DrumInstrument.HIHAT, 80), new DrumHit(0.25, DrumInstrument.HIHAT, 80),
                new DrumHit(0.375, DrumInstrument.HIHAT, 80), new DrumHit(0.5, DrumInstrument.SNARE, 80),
                new DrumHit(0.875, DrumInstrument.SNARE, 80));
        SongMap map = new SongMap(base.schema(), base.jobId(), base.source(), base.createdAt(), 2.0, base.tempo(),
                new SongMap.Drums(hits), base.bass(), base.melody(), base.lyrics(), base.stems(), base.models());
        byte[] xml = MusicXmlDrumScore.write(map);
        assertThat(MusicXmlSchema.violations(schema, xml)).isEmpty();
        Document doc = MusicXmlSchema.parse(xml);

        List<String> written = new ArrayList<>();
        NodeList notes = (NodeList) xpath.evaluate("//measure[1]/note[voice='1' and not(chord)]", doc,
                XPathConstants.NODESET);
        for (int i = 0; i < notes.getLength(); i++) {
            Element note = (Element) notes.item(i);
            written.add(xpath.evaluate("type", note) + (xpath.evaluate("dot", note, XPathConstants.NODE) != null ? "." : "")
                    + (xpath.evaluate("rest", note, XPathConstants.NODE) != null ? " rest" : "")
                    + ":" + xpath.evaluate("beam[@number='1']", note) + "/" + xpath.evaluate("beam[@number='2']", note));
        }
        assertThat(written).containsExactly("16th:begin/begin", "16th:continue/continue", "16th:continue/continue",
                "16th:end/end", "eighth.:begin/", "16th:end/backward hook", "half rest:/");
    }

    private String noteAt(Document doc, String instrument) throws Exception {
        Element note = (Element) xpath.evaluate("(//note[instrument/@id='" + instrument + "'])[1]", doc,
                XPathConstants.NODE);
        return xpath.evaluate("unpitched/display-step", note) + xpath.evaluate("unpitched/display-octave", note)
                + " voice " + xpath.evaluate("voice", note) + " " + xpath.evaluate("stem", note) + " "
                + (xpath.evaluate("notehead", note).isEmpty() ? "normal" : xpath.evaluate("notehead", note));
    }

    private String str(Document doc, String expression) throws Exception {
        return xpath.evaluate(expression, doc);
    }

    /** A swung bar at 100 BPM with a snare pickup before the first detected beat and an empty bar after. */
    static SongMap shuffleWithPickup() {
        SongMap base = SongMapFixtures.twoBarsAt120();
        double beat = 0.6;
        double first = 1.0;
        List<Double> beats = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            beats.add(first + i * beat);
        }
        List<DrumHit> hits = new ArrayList<>();
        hits.add(new DrumHit(first - beat / 2, DrumInstrument.SNARE, 90));
        for (int b = 0; b < 4; b++) {
            double t = first + b * beat;
            hits.add(new DrumHit(t + 0.004, DrumInstrument.RIDE, 90));
            hits.add(new DrumHit(t + 2 * beat / 3 - 0.006, DrumInstrument.RIDE, 70));
            hits.add(new DrumHit(t, b % 2 == 0 ? DrumInstrument.KICK : DrumInstrument.SNARE, 100));
        }
        hits.add(new DrumHit(first + 4 * beat + beat / 3, DrumInstrument.TOM, 100));
        hits.add(new DrumHit(first + 5 * beat + 0.75 * beat, DrumInstrument.KICK, 100));
        return new SongMap(base.schema(), base.jobId(), base.source(), base.createdAt(), first + 12 * beat,
                new SongMap.Tempo(100.0, beats), new SongMap.Drums(hits), base.bass(), base.melody(), base.lyrics(),
                base.stems(), base.models());
    }

    @Test
    void noHitsAndNoDetectedBeatsStillGiveAValidScoreOfRests() throws Exception {
        SongMap base = SongMapFixtures.twoBarsAt120();
        SongMap silent = new SongMap(base.schema(), base.jobId(), base.source(), base.createdAt(), 5.0,
                new SongMap.Tempo(90.0, List.of()), new SongMap.Drums(List.of()), base.bass(), base.melody(),
                base.lyrics(), base.stems(), base.models());

        byte[] xml = MusicXmlDrumScore.write(silent);

        assertThat(MusicXmlSchema.violations(schema, xml)).isEmpty();
        Document doc = MusicXmlSchema.parse(xml);
        // 5 s at 90 BPM is 7.5 beats: two bars, each a whole-bar rest.
        assertThat(str(doc, "count(//measure)")).isEqualTo("2");
        assertThat(str(doc, "count(//note/rest[@measure='yes'])")).isEqualTo("2");
        assertThat(str(doc, "//measure[1]/direction/sound/@tempo")).isEqualTo("90");
    }
}

