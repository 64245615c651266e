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

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
