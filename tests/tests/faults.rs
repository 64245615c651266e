//! The fault campaign (docs/reliability.md): randomized episodes mixing killed tills and
//! servers, RabbitMQ and MongoDB outages, a faulty network, clock skew and a full disk,
//! each checked against the invariants afterwards. `.ci/run` runs a few episodes;
//! `KASSA_FAULT_EPISODES=1000 KASSA_FAULT_WORLDS=4` is the long run (four worlds at once),
//! `KASSA_FAULT_SEED` replays one.

#[tokio::test]
async fn episodes_of_injected_faults_lose_and_double_nothing() {
    let episodes = env_or("KASSA_FAULT_EPISODES", 6);
    let seed = env_or("KASSA_FAULT_SEED", 0x0ddba11);
    let worlds = env_or("KASSA_FAULT_WORLDS", 1);
    let report = kassa_tests::campaign::run_worlds(
        seed,
        u32::try_from(episodes).unwrap(),
        u32::try_from(worlds).unwrap(),
    )
    .await;
    eprintln!("[faults] seed {seed:#x}: {}", report.summary());
    assert!(
        report.violations.is_empty(),
        "{}\n{}",
        report.summary(),
        report.violations.join("\n")
    );
    assert!(
        report.faults.values().sum::<u32>() >= report.episodes,
        "every episode injected a fault"
    );
}

/// A number from the environment, decimal or `0x` hex. A value that is not a number
/// stops the run: a typo must not quietly replay the default seed.
fn env_or(name: &str, default: u64) -> u64 {
    let Ok(v) = std::env::var(name) else {
        return default;
    };
    let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    parsed.unwrap_or_else(|e| panic!("{name}={v} is not a number ({e})"))
}
