package io.songmap.audio.export;

import io.songmap.audio.songmap.SongMap;
import java.io.ByteArrayOutputStream;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes the drum hits of a Song Map as a MusicXML 4.0 partwise score: one percussion part with a
 * score instrument and a General MIDI (channel 10) instrument per kit piece, percussion clef, 4/4,
 * a tempo marking, hits quantized by {@link DrumScore} and written in two voices (hands stem up,
 * kick stem down) with beams, triplet brackets and rests filling every gap.
 */
public final class MusicXmlDrumScore {

    public static final String DOCTYPE_PUBLIC = "-//Recordare//DTD MusicXML 4.0 Partwise//EN";
    public static final String DOCTYPE_SYSTEM = "http://www.musicxml.org/dtds/partwise.dtd";
    private static final String PART_ID = "P1";

    private MusicXmlDrumScore() {}

    public static byte[] write(SongMap map) {
        Document doc = toDocument(map);
        try {
            Transformer transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.setOutputProperty(OutputKeys.INDENT, "yes");
            transformer.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
            transformer.setOutputProperty(OutputKeys.DOCTYPE_PUBLIC, DOCTYPE_PUBLIC);
            transformer.setOutputProperty(OutputKeys.DOCTYPE_SYSTEM, DOCTYPE_SYSTEM);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            transformer.transform(new DOMSource(doc), new StreamResult(out));
            return out.toByteArray();
        } catch (TransformerException e) {
            throw new IllegalStateException("MusicXML serialization failed", e);
        }
    }

    public static Document toDocument(SongMap map) {
        Document doc;
        try {
            doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        doc.setXmlStandalone(true);
        Element score = doc.createElement("score-partwise");
        score.setAttribute("version", "4.0");
        doc.appendChild(score);

        Element work = child(score, "work");
        text(work, "work-title", map.source().name());
        Element identification = child(score, "identification");
        Element encoding = child(identification, "encoding");
        text(encoding, "software", "Songmap");
        text(encoding, "encoding-date", map.createdAt().atZone(ZoneOffset.UTC).toLocalDate().toString());

        writePartList(score);

        DrumScore drumScore = DrumScore.quantize(map);
        Element part = child(score, "part");
        part.setAttribute("id", PART_ID);
        for (int m = 0; m < drumScore.measureCount(); m++) {
            Element measure = child(part, "measure");
            measure.setAttribute("number", Integer.toString(m + 1));
            if (m == 0) {
                writeAttributes(measure);
                writeTempo(measure, map.tempo().bpm());
            }
            DrumScore.Measure bar = drumScore.measures().get(m);
            TreeMap<Integer, List<DrumKit>> hands = bar.voice(DrumKit.Voice.HANDS);
            TreeMap<Integer, List<DrumKit>> feet = bar.voice(DrumKit.Voice.FEET);
            writeVoice(measure, bar, hands, DrumKit.Voice.HANDS);
            if (!feet.isEmpty()) {
                Element backup = child(measure, "backup");
                text(backup, "duration", Integer.toString(DrumScore.MEASURE_DIVISIONS));
                writeVoice(measure, bar, feet, DrumKit.Voice.FEET);
            }
        }
        return doc;
    }

    private static void writePartList(Element score) {
        Element partList = child(score, "part-list");
        Element scorePart = child(partList, "score-part");
        scorePart.setAttribute("id", PART_ID);
        text(scorePart, "part-name", "Drumset");
        text(scorePart, "part-abbreviation", "Dr.");
        for (DrumKit kit : DrumKit.values()) {
            Element instrument = child(scorePart, "score-instrument");
            instrument.setAttribute("id", instrumentId(kit));
            text(instrument, "instrument-name", kit.gmName);
        }
        for (DrumKit kit : DrumKit.values()) {
            Element midi = child(scorePart, "midi-instrument");
            midi.setAttribute("id", instrumentId(kit));
            text(midi, "midi-channel", "10");
            text(midi, "midi-program", "1");
            // MusicXML numbers unpitched MIDI keys from 1.
            text(midi, "midi-unpitched", Integer.toString(kit.gmKey + 1));
            text(midi, "volume", "80");
            text(midi, "pan", "0");
        }
    }

    private static void writeAttributes(Element measure) {
        Element attributes = child(measure, "attributes");
        text(attributes, "divisions", Integer.toString(DrumScore.DIVISIONS));
        Element key = child(attributes, "key");
        key.setAttribute("print-object", "no");
        text(key, "fifths", "0");
        Element time = child(attributes, "time");
        text(time, "beats", Integer.toString(DrumScore.BEATS_PER_MEASURE));
        text(time, "beat-type", "4");
        Element clef = child(attributes, "clef");
        text(clef, "sign", "percussion");
        text(clef, "line", "2");
    }

    private static void writeTempo(Element measure, double bpm) {
        Element direction = child(measure, "direction");
        direction.setAttribute("placement", "above");
        Element metronome = child(child(direction, "direction-type"), "metronome");
        metronome.setAttribute("parentheses", "no");
        text(metronome, "beat-unit", "quarter");
        text(metronome, "per-minute", Long.toString(Math.round(bpm)));
        Element sound = child(direction, "sound");
        sound.setAttribute("tempo", String.format(Locale.ROOT, "%.2f", bpm).replaceAll("\\.?0+$", ""));
    }

    /** One written element of a voice: a rest or a chord of kit pieces, with its length in divisions. */
    private record Event(List<DrumKit> kits, int duration, boolean triplet) {
        boolean isRest() {
            return kits.isEmpty();
        }
    }

    private static void writeVoice(Element measure, DrumScore.Measure bar, TreeMap<Integer, List<DrumKit>> hits,
            DrumKit.Voice voice) {
        if (hits.isEmpty()) {
            Element note = child(measure, "note");
            child(note, "rest").setAttribute("measure", "yes");
            text(note, "duration", Integer.toString(DrumScore.MEASURE_DIVISIONS));
            text(note, "voice", Integer.toString(voice.number));
            return;
        }
        List<List<Event>> beats = new ArrayList<>();
        for (int beat = 0; beat < DrumScore.BEATS_PER_MEASURE; beat++) {
            beats.add(beatEvents(bar, hits, beat));
        }
        for (int beat = 0; beat < DrumScore.BEATS_PER_MEASURE; beat++) {
            List<Event> events = beats.get(beat);
            boolean emptyPair = beat % 2 == 0 && isQuarterRest(events) && isQuarterRest(beats.get(beat + 1));
            if (emptyPair) {
                writeRest(measure, 2 * DrumScore.DIVISIONS, false, voice);
                beat++;
                continue;
            }
            writeBeat(measure, events, voice);
        }
    }

    private static boolean isQuarterRest(List<Event> events) {
        return events.size() == 1 && events.get(0).isRest();
    }

    private static List<Event> beatEvents(DrumScore.Measure bar, TreeMap<Integer, List<DrumKit>> hits, int beat) {
        int start = beat * DrumScore.DIVISIONS;
        int end = start + DrumScore.DIVISIONS;
        Map<Integer, List<DrumKit>> inBeat = hits.subMap(start, end);
        List<Event> events = new ArrayList<>();
        if (inBeat.isEmpty()) {
            events.add(new Event(List.of(), DrumScore.DIVISIONS, false));
            return events;
        }
        // A voice that only strikes on the beat needs no tuplet even inside a triplet beat.
        boolean triplet = bar.isTriplet(beat) && !(inBeat.size() == 1 && inBeat.containsKey(start));
        List<Integer> positions = new ArrayList<>(inBeat.keySet());
        if (positions.get(0) > start) {
            events.add(new Event(List.of(), positions.get(0) - start, triplet));
        }
        for (int i = 0; i < positions.size(); i++) {
            int next = i + 1 < positions.size() ? positions.get(i + 1) : end;
            events.add(new Event(inBeat.get(positions.get(i)), next - positions.get(i), triplet));
        }
        return events;
    }

    private static void writeBeat(Element measure, List<Event> events, DrumKit.Voice voice) {
        String[] beams = beamLevel(events, 1);
        String[] secondBeams = beamLevel(events, 2);
        for (int i = 0; i < events.size(); i++) {
            Event event = events.get(i);
            String tuplet = !event.triplet() ? null : i == 0 ? "start" : i == events.size() - 1 ? "stop" : null;
            if (event.isRest()) {
                Element rest = writeRest(measure, event.duration(), event.triplet(), voice);
                addTuplet(rest, tuplet);
                continue;
            }
            List<DrumKit> chord = new ArrayList<>(event.kits());
            chord.sort((a, b) -> Integer.compare(a.staffPosition(), b.staffPosition()));
            for (int k = 0; k < chord.size(); k++) {
                DrumKit kit = chord.get(k);
                Element note = child(measure, "note");
                if (k > 0) {
                    child(note, "chord");
                }
                Element unpitched = child(note, "unpitched");
                text(unpitched, "display-step", kit.displayStep);
                text(unpitched, "display-octave", Integer.toString(kit.displayOctave));
                text(note, "duration", Integer.toString(event.duration()));
                child(note, "instrument").setAttribute("id", instrumentId(kit));
                text(note, "voice", Integer.toString(voice.number));
                writeType(note, event.duration(), event.triplet());
                text(note, "stem", voice.stem);
                if (!"normal".equals(kit.notehead)) {
                    text(note, "notehead", kit.notehead);
                }
                if (k == 0) {
                    if (beams[i] != null) {
                        Element beam = text(note, "beam", beams[i]);
                        beam.setAttribute("number", "1");
                    }
                    if (secondBeams[i] != null) {
                        Element beam = text(note, "beam", secondBeams[i]);
                        beam.setAttribute("number", "2");
                    }
                    addTuplet(note, tuplet);
                }
            }
        }
    }

    private static Element writeRest(Element measure, int duration, boolean triplet, DrumKit.Voice voice) {
        Element note = child(measure, "note");
        child(note, "rest");
        text(note, "duration", Integer.toString(duration));
        text(note, "voice", Integer.toString(voice.number));
        writeType(note, duration, triplet);
        return note;
    }

    private static void addTuplet(Element note, String type) {
        if (type != null) {
            Element tuplet = child(child(note, "notations"), "tuplet");
            tuplet.setAttribute("type", type);
            if ("start".equals(type)) {
                tuplet.setAttribute("bracket", "no");
            }
        }
    }

    /** Note type, dot and triplet time modification for a length in divisions. */
    private static void writeType(Element note, int duration, boolean triplet) {
        int written = triplet ? duration * 3 / 2 : duration;
        String type;
        boolean dotted = false;
        switch (written) {
            case 3 -> type = "16th";
            case 6 -> type = "eighth";
            case 9 -> {
                type = "eighth";
                dotted = true;
            }
            case 12 -> type = "quarter";
            case 18 -> {
                type = "quarter";
                dotted = true;
            }
            case 24 -> type = "half";
            default -> throw new IllegalStateException("no note value for " + duration + " divisions");
        }
        text(note, "type", type);
        if (dotted) {
            child(note, "dot");
        }
        if (triplet) {
            Element modification = child(note, "time-modification");
            text(modification, "actual-notes", "3");
            text(modification, "normal-notes", "2");
        }
    }

    private static int beamCount(Event event) {
        if (event.isRest()) {
            return 0;
        }
        int written = event.triplet() ? event.duration() * 3 / 2 : event.duration();
        return written <= 3 ? 2 : written <= 9 ? 1 : 0;
    }

    /**
     * Beam values at one level for the events of a beat: runs of consecutive notes with at least
     * that many beams are joined; a lone sixteenth next to an eighth gets a hook toward its group.
     */
    private static String[] beamLevel(List<Event> events, int level) {
        String[] values = new String[events.size()];
        int n = events.size();
        for (int i = 0; i < n; i++) {
            if (beamCount(events.get(i)) < level) {
                continue;
            }
            boolean prev = i > 0 && beamCount(events.get(i - 1)) >= level;
            boolean next = i + 1 < n && beamCount(events.get(i + 1)) >= level;
            if (prev && next) {
                values[i] = "continue";
            } else if (prev) {
                values[i] = "end";
            } else if (next) {
                values[i] = "begin";
            } else if (level > 1) {
                boolean beamedBefore = i > 0 && beamCount(events.get(i - 1)) >= 1;
                boolean beamedAfter = i + 1 < n && beamCount(events.get(i + 1)) >= 1;
                values[i] = beamedAfter && !beamedBefore ? "forward hook" : beamedBefore ? "backward hook" : null;
            }
        }
        return values;
    }

    private static String instrumentId(DrumKit kit) {
        return PART_ID + "-I" + (kit.gmKey + 1);
    }

    private static Element child(Element parent, String name) {
        Element element = parent.getOwnerDocument().createElement(name);
        parent.appendChild(element);
        return element;
    }

    private static Element text(Element parent, String name, String value) {
        Element element = child(parent, name);
        element.setTextContent(value);
        return element;
    }
}
