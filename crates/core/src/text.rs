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

#[cfg(test)]
mod tests {
    use super::*;

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
