//! The browser entry point: everything lives in the `xinbao_app` library so tests can mount it.

fn main() {
    xinbao_app::start();
}
