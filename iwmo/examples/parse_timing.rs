//! Times `parse` on a 323 of 10,000 prestaties built from the reference
//! example: `cargo run --release -p iwmo --example parse_timing`.

fn main() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/iwmo/examples/iwmo/WMO323.xml"
    ))
    .expect("the reference example");
    let start = example.find("<wmo323:Client>").expect("a client");
    let end = example.rfind("</wmo323:Clienten>").expect("the clients");
    let clients = &example[start..end];
    // 2,500 copies of the example's two clients (4 prestaties): 10,000 prestaties.
    let many = clients.repeat(2_500);
    let xml = format!("{}{}{}", &example[..start], many, &example[end..]).replace(
        "<iwmo:TotaalBedrag>58000<",
        &format!("<iwmo:TotaalBedrag>{}<", 58_000 * 2_500),
    );
    // Twice: the second run is the steady state of a server.
    let _ = iwmo::parse(xml.as_bytes());
    let started = std::time::Instant::now();
    let parsed = iwmo::parse(xml.as_bytes());
    println!(
        "{} bytes parsed in {:?}: {}",
        xml.len(),
        started.elapsed(),
        if parsed.is_ok() { "ok" } else { "faults" }
    );
}
