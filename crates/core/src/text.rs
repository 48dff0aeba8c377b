//! Text helpers shared by the editor, the server and the writing checks: 字数 (character count)
//! and the classification of characters in Chinese text.

/// Whether `c` is a CJK character or CJK/full-width punctuation: each such character counts
/// as one in 字数.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F   // CJK symbols and punctuation (。、「」…)
        | 0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // hangul
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFE30..=0xFE4F // CJK compatibility forms
        | 0xFF00..=0xFFEF // full-width forms (，！？：；（）％ and full-width digits)
        | 0x20000..=0x3134F // extensions B–G
    ) || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// 字数 as offices count it (the way Word's 字数 statistic does): every CJK character and every
/// CJK or full-width punctuation mark counts one; a run of other non-space characters (a Latin
/// word, a number such as `2300`, `4.5%`) counts one; white space counts nothing.
pub fn char_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_run = false;
    for c in text.chars() {
        if is_cjk(c) {
            count += 1;
            in_run = false;
        } else if c.is_whitespace() {
            in_run = false;
        } else if !in_run {
            count += 1;
            in_run = true;
        }
    }
    count
}

/// The number of Unicode scalar values: the unit of length limits (a title ≤ 60 characters).
pub fn len_chars(text: &str) -> usize {
    text.chars().count()
}

/// Characters that show nothing (or reorder what is shown): a name containing one could sit
/// beside its look-alike — "兰州湾镇\u{200b}" next to 兰州湾镇 — and is refused.
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD            // soft hyphen
        | 0x034F          // combining grapheme joiner
        | 0x061C          // Arabic letter mark
        | 0x115F | 0x1160 | 0x3164 | 0xFFA0 // hangul fillers
        | 0x17B4 | 0x17B5
        | 0x180B..=0x180F // Mongolian variation selectors and vowel separator
        | 0x200B..=0x200F // zero-width space, joiners, direction marks
        | 0x202A..=0x202E // bidi embeddings and overrides
        | 0x2060..=0x206F // word joiner, invisible operators, bidi isolates
        | 0xFE00..=0xFE0F // variation selectors
        | 0xFEFF          // zero-width no-break space (BOM)
        | 0xE0000..=0xE0FFF // tags, variation selectors supplement
    ) || c.is_control()
}

/// A unit's or a person's name as it is stored: NFKC-normalised (full-width letters and digits
/// and the ideographic space become their ordinary forms), trimmed, runs of spaces made one; at
/// most `max` characters; never empty, never with an invisible character. The same function
/// decides for the admin page, the bulk import and the command line.
pub fn normalize_name(raw: &str, max: usize) -> Result<String, crate::i18n::Text> {
    use unicode_normalization::UnicodeNormalization;
    let nfkc: String = raw.nfkc().collect();
    if nfkc.chars().any(|c| is_invisible(c) && !c.is_whitespace()) {
        return Err(crate::i18n::Text::new(
            "名称中含有看不见的字符（如零宽空格），请删除后重新输入",
            "The name contains an invisible character (such as a zero-width space); retype it",
        ));
    }
    let name = nfkc.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(crate::i18n::Text::new("名称不能为空", "The name is empty"));
    }
    if name.chars().count() > max {
        return Err(crate::i18n::Text::new("名称太长", "The name is too long"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_alike_become_one_or_are_refused() {
        assert_eq!(normalize_name("  兰州湾镇 ", 64).as_deref(), Ok("兰州湾镇"));
        // The ideographic space and full-width letters are their ordinary forms.
        assert_eq!(normalize_name("\u{3000}兰州湾镇\u{3000}", 64).as_deref(), Ok("兰州湾镇"));
        assert_eq!(normalize_name("ＡＢＣ 科技局", 64).as_deref(), Ok("ABC 科技局"));
        assert_eq!(normalize_name("县  农业   农村局", 64).as_deref(), Ok("县 农业 农村局"));
        for sneaky in ["兰州湾镇\u{200b}", "兰州\u{200d}湾镇", "\u{feff}兰州湾镇", "兰州湾镇\u{202e}", "兰州\u{00ad}湾镇", "兰州\u{7}湾镇"]
        {
            assert!(normalize_name(sneaky, 64).is_err(), "{sneaky:?}");
        }
        assert!(normalize_name(" \u{3000} ", 64).is_err());
        assert!(normalize_name(&"镇".repeat(65), 64).is_err());
    }

    #[test]
    fn chinese_characters_and_punctuation_count_one_each() {
        assert_eq!(char_count("县人社局举办招聘会。"), 10);
        assert_eq!(char_count("“春风行动”"), 6);
    }

    #[test]
    fn numbers_and_latin_words_count_as_one_each() {
        // 销售 2 + 番茄 2 + "2300" 1 + 吨 1 + ， 1 + "GDP" 1 + 增长 2 + "4.5%" 1
        assert_eq!(char_count("销售番茄2300吨，GDP增长4.5%"), 11);
    }

    #[test]
    fn whitespace_and_paragraph_breaks_count_nothing() {
        assert_eq!(char_count("第一段。\n\n  第二段。"), 8);
        assert_eq!(char_count(""), 0);
        assert_eq!(char_count(" \n\t"), 0);
    }

    #[test]
    fn length_counts_scalar_values_not_bytes() {
        assert_eq!(len_chars("标题"), 2);
        assert_eq!(len_chars("𠀀a"), 2);
    }
}
