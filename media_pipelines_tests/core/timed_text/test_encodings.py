"""Legacy and BOM-less subtitle encodings decode to the real text, say how sure they are, or are refused."""

import pytest

from media_pipelines.core.media_types import ErrorType, MediaKind
from media_pipelines.core.probe import probe_file
from media_pipelines.core.timed_text.model import TimedTextError
from media_pipelines.core.timed_text.parse import parse_timed_text

# The same four lines of dialogue in each language, as a translator would deliver them.
DIALOGUE = {
    "ru": ["Где ты был всю ночь?", "Я ждал тебя до утра, а ты даже не позвонил.",
           "Прости, поезд опоздал на три часа.", "Ладно, садись ужинать, всё остыло."],
    "el": ["Πού ήσουν όλη τη νύχτα;", "Σε περίμενα μέχρι το πρωί και ούτε ένα τηλεφώνημα.",
           "Συγγνώμη, το τρένο άργησε τρεις ώρες.", "Καλά, κάτσε να φας, όλα κρύωσαν."],
    "ar": ["أين كنت طوال الليل؟", "انتظرتك حتى الصباح ولم تتصل حتى.",
           "آسف، تأخر القطار ثلاث ساعات.", "حسنا، اجلس لتتعشى، لقد برد كل شيء."],
    "zh-CN": ["你整晚都去哪儿了？", "我一直等你到早上，你连个电话都没打。",
              "对不起，火车晚点了三个小时。", "好吧，坐下吃饭吧，饭菜都凉了。"],
    "zh-TW": ["你整晚都去哪兒了？", "我一直等你到早上，你連個電話都沒打。",
              "對不起，火車晚點了三個小時。", "好吧，坐下吃飯吧，飯菜都涼了。"],
    "ja": ["一晩中どこにいたの？", "朝まで待っていたのに、電話もくれなかった。",
           "ごめん、電車が三時間遅れたんだ。", "まあいいわ、座って夕食を食べて。全部冷めちゃった。"],
    "ko": ["밤새 어디 있었어?", "아침까지 기다렸는데 전화 한 통 없었잖아.",
           "미안해, 기차가 세 시간이나 늦었어.", "됐어, 앉아서 밥 먹어. 다 식었어."],
    "pl": ["Gdzie byłeś całą noc?", "Czekałam na ciebie do rana, a ty nawet nie zadzwoniłeś.",
           "Przepraszam, pociąg spóźnił się o trzy godziny.", "Dobrze, siadaj do kolacji, wszystko już wystygło."],
    "cs": ["Kde jsi byl celou noc?", "Čekala jsem na tebe až do rána a ty jsi ani nezavolal.",
           "Promiň, vlak měl tři hodiny zpoždění.", "Dobře, sedni si k večeři, všechno už vystydlo."],
    "fr": ["Très bien, où est-il ?", "Il est déjà parti à la gare.",
           "Ça ne fait rien, je l'attendrai ici.", "Bon, à demain alors."],
}  # fmt: skip


def srt(lines: list[str]) -> str:
    def clock(seconds: float) -> str:
        return f"{int(seconds) // 3600:02d}:{int(seconds) // 60 % 60:02d}:{int(seconds) % 60:02d},{round(seconds % 1 * 1000):03d}"

    return "\n".join(f"{i + 1}\n{clock(i * 3 + 1)} --> {clock(i * 3 + 2.5)}\n{line}\n" for i, line in enumerate(lines))


CASES = [
    ("ru", "cp1251", "cp1251"),
    ("el", "cp1253", "cp1253"),
    ("ar", "cp1256", "cp1256"),
    ("zh-CN", "gbk", "gb18030"),  # GB18030 is GBK's superset: the same bytes, the same text
    ("zh-CN", "gb18030", "gb18030"),
    ("zh-TW", "big5", "big5"),
    ("ja", "shift_jis", "cp932"),  # Windows' Shift-JIS, its superset
    ("ko", "euc-kr", "cp949"),  # Windows' EUC-KR, its superset
    ("pl", "iso8859-2", "iso8859_2"),
    ("fr", "cp1252", "cp1252"),
]


@pytest.mark.parametrize(("language", "written", "detected"), CASES)
def test_legacy_encodings_decode_to_the_real_text_with_or_without_a_language_hint(language, written, detected):
    data = srt(DIALOGUE[language]).encode(written)
    for name in (f"film.{language}.srt", "film.srt"):
        parsed = parse_timed_text(data, name)
        assert [c.text for c in parsed.cues] == DIALOGUE[language]
        assert parsed.encoding == detected and 0.9 <= parsed.encoding_confidence <= 1.0


def test_czech_in_latin_2_is_told_from_latin_9_by_its_letters_and_their_case():
    """Both decode to letters; read as Latin-9, Czech gets capitals inside words (zpoždÌní) and a Polish
    letter where š was (Latin-1 family), so ISO-8859-2 wins, with the file's language or without it."""
    data = srt(DIALOGUE["cs"]).encode("iso8859-2")
    for name in ("film.cs.srt", "film.srt"):
        assert [c.text for c in parse_timed_text(data, name).cues] == DIALOGUE["cs"]
    vtt = "WEBVTT\nLanguage: cs\n\n" + srt(DIALOGUE["cs"]).replace(",000", ".000").replace(",500", ".500")
    assert [c.text for c in parse_timed_text(vtt.encode("iso8859-2"), "film.vtt").cues] == DIALOGUE["cs"]


def test_the_language_hint_decides_what_the_bytes_alone_cannot():
    """Three bytes that read as Cyrillic in cp1251 and as Arabic in cp1256 equally well: refused without a
    language, decoded with one."""
    data = b"1\n00:00:01,000 --> 00:00:02,000\n\x81\x8d\x90\n"
    with pytest.raises(TimedTextError) as caught:
        parse_timed_text(data, "film.srt")
    assert caught.value.error_type == ErrorType.ENCODING_ERROR
    assert parse_timed_text(data, "film.ru.srt").encoding == "cp1251"


def test_a_sibling_code_page_of_the_same_script_is_told_by_case():
    """KOI8-R and cp1251 both read Russian bytes as Cyrillic letters; only the right one has its capitals
    at the start of words."""
    lines = DIALOGUE["ru"] * 200  # a feature's worth: judged on its first lines
    for encoding in ("cp1251", "koi8_r"):
        parsed = parse_timed_text(srt(lines).encode(encoding), "film.srt")
        assert (parsed.encoding, [c.text for c in parsed.cues]) == (encoding, lines)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_and_utf32_without_a_bom_are_timed_text_and_parse(tmp_path, encoding):
    path = tmp_path / "film.srt"
    path.write_bytes(srt(DIALOGUE["ru"]).encode(encoding))
    assert probe_file(path).kind == MediaKind.TIMED_TEXT
    parsed = parse_timed_text(path.read_bytes(), path.name)
    assert (parsed.encoding, [c.text for c in parsed.cues]) == (encoding, DIALOGUE["ru"])


def test_bytes_no_code_page_reads_clearly_are_an_encoding_error():
    with pytest.raises(TimedTextError) as caught:
        parse_timed_text(b"1\n00:00:01,000 --> 00:00:02,000\nbad \x81\x8d\x90 bytes\n", "x.srt")
    assert caught.value.error_type == ErrorType.ENCODING_ERROR


def test_html_entities_are_decoded_once():
    raw = "Caf&eacute;&nbsp;&#x2014; &#8230; &copy; &amp;lt;i&amp;gt; &lt;3"
    [cue] = parse_timed_text(srt([raw]).encode(), "x.srt").cues
    assert cue.text == "Café — … © &lt;i&gt; <3"


def test_ttml_declared_encoding_and_xml_entities():
    body = '<?xml version="1.0" encoding="windows-1251"?><tt xmlns="http://www.w3.org/ns/ttml" xml:lang="ru">'
    body += '<body><div><p begin="00:00:01.000" end="00:00:02.000">Где ты &amp; я &#8230;</p></div></body></tt>'
    parsed = parse_timed_text(body.encode("cp1251"), "film.xml")
    assert (parsed.encoding, parsed.language, parsed.cues[0].text) == ("cp1251", "ru", "Где ты & я …")
