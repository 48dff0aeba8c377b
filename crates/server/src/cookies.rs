//! The names of the session cookies, which the login sets ([`crate::auth`]) and the https
//! redirect reads ([`crate::tls`]).

/// The session cookie over plain http.
pub const SESSION: &str = "xinbao_session";
/// The session cookie's name over https: `__Secure-` makes browsers refuse it unless it is set
/// over https with `Secure`, and its own name keeps it apart from a session made at the plain
/// http address (a browser would not let http set a cookie of the same name as a secure one,
/// and a session made over plain http is not accepted over https).
pub const SECURE_SESSION: &str = "__Secure-xinbao_session";
