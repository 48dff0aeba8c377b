//! The password rule, the same in the browser (instant feedback) and on the server (enforced).

use crate::i18n::Text;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Whether `password` is strong enough: at least 10 characters, at least two kinds of
/// character (letters, digits, other), not the user name, not one character repeated.
pub fn check_strength(password: &str, username: &str) -> Result<(), Text> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(Text::new("密码至少需要10个字符", "The password needs at least 10 characters"));
    }
    if len > MAX_LEN {
        return Err(Text::new("密码不能超过128个字符", "The password must be at most 128 characters"));
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let others = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, others].iter().filter(|k| **k).count() < 2 {
        return Err(Text::new("密码须包含字母、数字、符号中的至少两类", "Use at least two kinds of character: letters, digits, symbols"));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(Text::new("密码不能是同一个字符重复", "The password cannot be one character repeated"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Text::new("密码不能包含用户名", "The password cannot contain the user name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_passwords_pass_and_weak_ones_say_why() {
        assert!(check_strength("Chunfeng-2026", "lzw").is_ok());
        assert!(check_strength("春风行动二〇二六年!!", "lzw").is_ok());
        assert_eq!(check_strength("short1", "lzw").err().map(|t| t.zh), Some("密码至少需要10个字符"));
        assert!(check_strength("onlyletterss", "lzw").is_err());
        assert!(check_strength("1111111111", "lzw").is_err());
        assert!(check_strength("lzw-2026-abc", "lzw").is_err());
        assert!(check_strength(&"a1".repeat(70), "lzw").is_err());
    }
}
