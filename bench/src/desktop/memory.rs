//! The memory of the whole running app: the Tauri process and every process under it
//! (WebKit's web and network processes), read from /proc.

use std::collections::HashMap;

/// Resident and proportional set sizes summed over the app's process tree.
#[derive(Debug)]
pub struct TreeMemory {
    pub rss: u64,
    pub pss: u64,
    pub names: Vec<String>,
}

fn kb_field(text: &str, field: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// (pid, parent pid, command name) of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let name = status
                .lines()
                .next()?
                .strip_prefix("Name:")?
                .trim()
                .to_owned();
            let ppid = status
                .lines()
                .find_map(|l| l.strip_prefix("PPid:"))?
                .trim()
                .parse()
                .ok()?;
            Some((pid, ppid, name))
        })
        .collect()
}

/// The tree under the newest process whose name starts like `binary` (the kernel cuts
/// names at 15 characters).
pub fn app_tree(binary: &str) -> Option<TreeMemory> {
    let all = processes();
    let short: String = binary.chars().take(15).collect();
    let root = all
        .iter()
        .filter(|(_, _, n)| *n == short)
        .map(|p| p.0)
        .max()?;
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (pid, ppid, _) in &all {
        children.entry(*ppid).or_default().push(*pid);
    }
    let names: HashMap<u32, &str> = all.iter().map(|(p, _, n)| (*p, n.as_str())).collect();
    let mut stack = vec![root];
    let mut out = TreeMemory {
        rss: 0,
        pss: 0,
        names: Vec::new(),
    };
    while let Some(pid) = stack.pop() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        out.rss += kb_field(&status, "VmRSS");
        out.pss += kb_field(&rollup, "Pss");
        out.names
            .push(names.get(&pid).copied().unwrap_or("?").to_owned());
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    Some(out)
}
