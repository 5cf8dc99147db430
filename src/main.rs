fn main() {
    std::process::exit(grokscope::cli::main());
}
