//! Trains the learned layer (`assets/sentiment/model.bin`) and reports how it does.
//!
//! cargo run -p vigie-sentiment --release --example train -- \
//!     --data DIR [--vader FILE.tsv] [--out assets/sentiment/model.bin]
//!
//! DIR holds UMSAB / XLM-T sentiment splits, one folder per language:
//! `DIR/{english,french}/{train,val}_{text,labels}.txt` (labels 0 negative, 1 neutral,
//! 2 positive; a missing split is skipped). The features come from
//! `SentimentScorer::features`, the very code the scorer runs, so training and inference hash
//! the same tokens. The model is a three-class logistic regression fitted by AdaGrad SGD with
//! L2 regularisation; its hashed weights are quantised to i8 for the file.
//!
//! Protocol: hyper-parameters (hashed feature families, L2, epochs, joint vs separate models,
//! rule trust, neutral offset) are chosen on the mean macro-F1 of English val (fit on English
//! train) and, for French, 5-fold cross-validation over the French labelled data when no French
//! train split exists. The one intensity setting (how far a polar decision against the rules
//! leaves the ±0.05 band) is chosen on the VADER tweets whose id is 0 mod 4 and reported on both
//! halves. Nothing is fitted on a split that is then reported as unseen.

use std::path::{Path, PathBuf};

use vigie_sentiment::eval::{ClassReport, LangMode, evaluate, read_split};
use vigie_sentiment::features::{ALL_FAMILIES, DENSE, FAMILY_NAMES, Features, HASH_BITS};
use vigie_sentiment::learned::{Model, Weights};
use vigie_sentiment::{Lang, SentimentScorer};

const BUCKETS: usize = 1 << HASH_BITS;

#[derive(Clone)]
struct Example {
    dense: [f32; DENSE],
    hashed: Vec<u32>,
    label: usize,
}

fn featurize(
    scorer: &SentimentScorer,
    texts: &[String],
    labels: &[usize],
    lang: Lang,
    families: u8,
) -> Vec<Example> {
    let mut f = Features::default();
    texts
        .iter()
        .zip(labels)
        .map(|(t, &label)| {
            scorer.features(t, lang, families, &mut f);
            Example {
                dense: f.dense,
                hashed: f.hashed.clone(),
                label,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct Hyper {
    /// L2 strength on hashed weights (per example, scaled by 1/n).
    l2: f32,
    /// Use hashed features at all (false: the rule engine's dense summary only).
    hashed: bool,
    epochs: usize,
}

/// Float weights during training.
#[derive(Clone)]
struct Trained {
    bias: [f32; 3],
    dense: Vec<[f32; 3]>,
    hashed: Vec<[f32; 3]>,
}

impl Trained {
    fn logits(&self, e: &Example, use_hashed: bool) -> [f32; 3] {
        let mut z = self.bias;
        for (x, w) in e.dense.iter().zip(&self.dense) {
            for c in 0..3 {
                z[c] += x * w[c];
            }
        }
        if use_hashed {
            let k = hashed_weight(e);
            for &b in &e.hashed {
                let w = self.hashed[b as usize];
                for c in 0..3 {
                    z[c] += k * w[c];
                }
            }
        }
        z
    }

    fn predict(&self, e: &Example, use_hashed: bool) -> usize {
        // dense[0] is the rule compound (features::DENSE_NAMES).
        let rule = e.dense[0];
        if rule.abs() >= RULE_TRUST.with(|t| t.get()) {
            return if rule > 0.0 { 2 } else { 0 };
        }
        let z = self.logits(e, use_hashed);
        argmax([z[0], z[1] + NEUTRAL_OFFSET.with(|o| o.get()), z[2]])
    }

    fn quantise(&self) -> Weights {
        let max = self
            .hashed
            .iter()
            .flatten()
            .fold(0.0f32, |m, w| m.max(w.abs()))
            .max(1e-6);
        let scale = max / 127.0;
        Weights {
            scale,
            bias: self.bias,
            offset: [0.0; 3],
            dense: self.dense.clone(),
            hashed: self
                .hashed
                .iter()
                .map(|w| w.map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8))
                .collect(),
        }
    }
}

/// Value of each hashed feature of `e`: 1/sqrt(count), as `learned::Weights::logits` does.
fn hashed_weight(e: &Example) -> f32 {
    (e.hashed.len().max(1) as f32).sqrt().recip()
}

thread_local! {
    /// Decision offset of the neutral class while evaluating (see the offset search in `main`).
    static NEUTRAL_OFFSET: std::cell::Cell<f32> = const { std::cell::Cell::new(0.0) };
    /// Rule-compound magnitude from which the rules decide the class (see `learned::Model`).
    static RULE_TRUST: std::cell::Cell<f32> = const { std::cell::Cell::new(f32::INFINITY) };
}

fn argmax(z: [f32; 3]) -> usize {
    let mut best = 1;
    for c in [0, 2] {
        if z[c] > z[best] {
            best = c;
        }
    }
    best
}

/// xorshift64*: a fixed seed makes every run of this script produce the same file.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn train(data: &[Example], h: Hyper) -> Trained {
    let mut m = Trained {
        bias: [0.0; 3],
        dense: vec![[0.0; 3]; DENSE],
        hashed: vec![[0.0; 3]; BUCKETS],
    };
    // AdaGrad accumulators.
    let mut g_bias = [1e-8f32; 3];
    let mut g_dense = vec![[1e-8f32; 3]; DENSE];
    let mut g_hashed = vec![[1e-8f32; 3]; BUCKETS];
    let lr = 0.2f32;
    let l2_dense = 1e-4f32;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..h.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let e = &data[i];
            let p = vigie_sentiment::learned::softmax(m.logits(e, h.hashed));
            let mut g = p;
            g[e.label] -= 1.0;
            for c in 0..3 {
                g_bias[c] += g[c] * g[c];
                m.bias[c] -= lr * g[c] / g_bias[c].sqrt();
            }
            for (j, x) in e.dense.iter().enumerate() {
                for c in 0..3 {
                    let gr = g[c] * x + l2_dense * m.dense[j][c];
                    g_dense[j][c] += gr * gr;
                    m.dense[j][c] -= lr * gr / g_dense[j][c].sqrt();
                }
            }
            if h.hashed {
                let k = hashed_weight(e);
                for &b in &e.hashed {
                    let b = b as usize;
                    for c in 0..3 {
                        // L2 applied where a feature fires (the usual lazy approximation).
                        let gr = g[c] * k + h.l2 * m.hashed[b][c];
                        g_hashed[b][c] += gr * gr;
                        m.hashed[b][c] -= lr * gr / g_hashed[b][c].sqrt();
                    }
                }
            }
        }
    }
    m
}

fn report_of(m: &Trained, data: &[Example], h: Hyper) -> ClassReport {
    ClassReport::from_pairs(data.iter().map(|e| (e.label, m.predict(e, h.hashed))))
}

struct Split {
    texts: Vec<String>,
    labels: Vec<usize>,
}

fn load(dir: &Path, lang: &str, split: &str) -> Option<Split> {
    let folder = dir.join(lang);
    match read_split(&folder, split) {
        Ok((texts, labels)) => Some(Split { texts, labels }),
        Err(e) => {
            eprintln!("({lang}/{split} skipped: {e})");
            None
        }
    }
}

fn subset(d: &[Example], frac: f64) -> Vec<Example> {
    // The splits cycle through the three labels, so a prefix keeps the classes balanced.
    d[..((d.len() as f64 * frac).round() as usize).max(3)].to_vec()
}

/// Pooled k-fold cross-validation on `fr` (fold = index mod k), each fold trained on the other
/// folds plus `extra` (English data for a joint model, nothing for a French-only model).
fn cross_validate(fr: &[Example], extra: &[Example], h: Hyper, k: usize, frac: f64) -> ClassReport {
    let mut total = ClassReport::default();
    for fold in 0..k {
        let mut train_set: Vec<Example> = fr
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k != fold)
            .map(|(_, e)| e.clone())
            .collect();
        train_set = subset(&train_set, frac);
        train_set.extend_from_slice(extra);
        let test: Vec<Example> = fr
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k == fold)
            .map(|(_, e)| e.clone())
            .collect();
        let m = train(&train_set, h);
        for e in &test {
            total.add(e.label, m.predict(e, h.hashed));
        }
    }
    total
}

fn pearson(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    sxy / (sxx * syy).sqrt()
}

/// VADER-style rated tweets: (id, rating, text).
fn load_vader(path: &Path) -> Vec<(u64, f64, String)> {
    let Ok(data) = std::fs::read_to_string(path) else {
        eprintln!("({} not readable: no Pearson figures)", path.display());
        return Vec::new();
    };
    data.lines()
        .filter_map(|l| {
            let mut p = l.trim_end_matches('\r').splitn(3, '\t');
            let id = p.next()?.trim().parse().ok()?;
            let rating = p.next()?.trim().parse().ok()?;
            Some((id, rating, p.next()?.to_string()))
        })
        .collect()
}

fn vader_r(scorer: &SentimentScorer, rows: &[(u64, f64, String)], half: u64) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.0 % 4 == half)
        .map(|r| (f64::from(scorer.score(&r.2, Lang::En)), r.1))
        .collect();
    let class = |v: f64| (v > 0.05) as i32 - (v < -0.05) as i32;
    let acc = pairs
        .iter()
        .filter(|(x, y)| class(*x) == class(y / 4.0))
        .count() as f64
        / pairs.len().max(1) as f64;
    (pearson(&pairs), acc)
}

/// French development figures: fit on French train and score French val when there is a French
/// train split; otherwise 5-fold cross-validation over French val.
fn fr_report(
    fr_tr: Option<&[Example]>,
    fr_va: &[Example],
    extra: &[Example],
    h: Hyper,
    frac: f64,
) -> ClassReport {
    match fr_tr {
        Some(tr) => {
            let mut t = subset(tr, frac);
            t.extend_from_slice(extra);
            report_of(&train(&t, h), fr_va, h)
        }
        None => cross_validate(fr_va, extra, h, 5, frac),
    }
}

/// Best hyper-parameters for one set of feature families.
struct Search {
    mean: f64,
    en: f64,
    fr: f64,
    joint: bool,
    hyper: Hyper,
}

impl Search {
    fn describe(&self) -> String {
        format!(
            "{} l2 {} epochs {} (en {:.3} fr {:.3})",
            if self.joint { "joint" } else { "separate" },
            self.hyper.l2,
            self.hyper.epochs,
            self.en,
            self.fr
        )
    }
}

/// Grid over L2, epochs and joint vs separate models for the hashed families `families`, scored
/// on the UMSAB mean (en val; fr by `fr_report`).
fn search(
    rules: &SentimentScorer,
    en_train: &Split,
    en_val: &Split,
    fr_train: Option<&Split>,
    fr_val: &Split,
    families: u8,
    verbose: bool,
) -> Search {
    let ex = |s: &Split, lang| featurize(rules, &s.texts, &s.labels, lang, families);
    let en_tr = ex(en_train, Lang::En);
    let en_va = ex(en_val, Lang::En);
    let fr_va = ex(fr_val, Lang::Fr);
    let fr_tr = fr_train.map(|s| ex(s, Lang::Fr));
    let fr_all = fr_tr.clone().unwrap_or_else(|| fr_va.clone());
    let hashed = families != 0;
    let mut grid = Vec::new();
    for l2 in if hashed {
        &[0.0, 0.001, 0.003, 0.01, 0.03][..]
    } else {
        &[0.0][..]
    } {
        for epochs in [5, 15] {
            grid.push(Hyper {
                l2: *l2,
                hashed,
                epochs,
            });
        }
    }
    let mut best = Search {
        mean: f64::MIN,
        en: 0.0,
        fr: 0.0,
        joint: false,
        hyper: grid[0],
    };
    for &h in &grid {
        let en = report_of(&train(&en_tr, h), &en_va, h).macro_f1();
        let sep_fr = fr_report(fr_tr.as_deref(), &fr_va, &[], h, 1.0).macro_f1();
        // Joint: one model, French data + all English train.
        let joint_fr = fr_report(fr_tr.as_deref(), &fr_va, &en_tr, h, 1.0).macro_f1();
        let mut joint_en_data = en_tr.clone();
        joint_en_data.extend(fr_all.iter().cloned());
        let joint_en = report_of(&train(&joint_en_data, h), &en_va, h).macro_f1();
        if verbose {
            println!(
                "{h:?}\n    joint: en {joint_en:.3} fr {joint_fr:.3} (mean {:.3}) | separate: en {en:.3} fr {sep_fr:.3} (mean {:.3})",
                (joint_en + joint_fr) / 2.0,
                (en + sep_fr) / 2.0
            );
        }
        for (joint, e, f) in [(false, en, sep_fr), (true, joint_en, joint_fr)] {
            let mean = (e + f) / 2.0;
            if mean > best.mean + 1e-9 {
                best = Search {
                    mean,
                    en: e,
                    fr: f,
                    joint,
                    hyper: h,
                };
            }
        }
    }
    best
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut data: Option<PathBuf> = None;
    let mut vader: Option<PathBuf> = None;
    let mut out = PathBuf::from("assets/sentiment/model.bin");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--data" => data = Some(value()?.into()),
            "--vader" => vader = Some(value()?.into()),
            "--out" => out = value()?.into(),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let dir = data.ok_or("usage: train --data DIR [--vader FILE.tsv] [--out FILE]")?;
    let rules = SentimentScorer::rules_only();

    let en_train = load(&dir, "english", "train").ok_or("english/train is required")?;
    let en_val = load(&dir, "english", "val").ok_or("english/val is required")?;
    let fr_train = load(&dir, "french", "train");
    let fr_val = load(&dir, "french", "val").ok_or("french/val is required")?;

    println!("== rule engine alone (old scorer), three classes at ±0.05");
    for (name, s, lang) in [
        ("en train", &en_train, Lang::En),
        ("en val", &en_val, Lang::En),
        ("fr val", &fr_val, Lang::Fr),
    ] {
        let r = evaluate(&rules, &s.texts, &s.labels, LangMode::Fixed(lang));
        println!(
            "{name:9} macro-F1 {:.3}  acc {:.3}",
            r.macro_f1(),
            r.accuracy()
        );
    }

    let fr_protocol = if fr_train.is_some() {
        "fit on fr train, scored on fr val"
    } else {
        "5-fold CV over fr val (no fr train split available)"
    };
    let family_names = |f: u8| -> String {
        let names: Vec<&str> = FAMILY_NAMES
            .iter()
            .filter(|(bit, _)| f & bit != 0)
            .map(|(_, n)| *n)
            .collect();
        if names.is_empty() {
            "none (rule summary only)".into()
        } else {
            names.join(" + ")
        }
    };

    // Hashed feature families: backward elimination from all of them, each candidate set scored
    // by its best (L2, epochs, joint/separate) on the UMSAB mean; a family goes when the best set
    // without it scores at least as well (fewer features, faster scorer).
    println!("\n== feature families (en: fit on en train, scored on en val; fr: {fr_protocol})");
    // Every search reads the same data; only the families and the verbosity change.
    let search_with = |families: u8, verbose: bool| {
        search(
            &rules,
            &en_train,
            &en_val,
            fr_train.as_ref(),
            &fr_val,
            families,
            verbose,
        )
    };
    let mut families = ALL_FAMILIES;
    let mut current = search_with(families, false);
    println!(
        "{:<60} mean {:.3}  {}",
        family_names(families),
        current.mean,
        current.describe()
    );
    loop {
        let mut best: Option<(u8, Search)> = None;
        for (bit, name) in FAMILY_NAMES {
            if families & bit == 0 {
                continue;
            }
            let f = families & !bit;
            let r = search_with(f, false);
            println!(
                "  without {name:<16} -> {:<40} mean {:.3}  {}",
                family_names(f),
                r.mean,
                r.describe()
            );
            if best.as_ref().is_none_or(|(_, b)| r.mean > b.mean) {
                best = Some((f, r));
            }
        }
        match best {
            Some((f, r)) if r.mean >= current.mean - 1e-9 => {
                println!("drop -> {} (mean {:.3})", family_names(f), r.mean);
                families = f;
                current = r;
            }
            _ => break,
        }
    }
    println!(
        "\n== grid for the chosen families ({})",
        family_names(families)
    );
    let chosen = search_with(families, true);
    let (joint, h) = (chosen.joint, chosen.hyper);
    println!("chosen: {} (mean {:.3})", chosen.describe(), chosen.mean);

    let ex = |s: &Split, lang| featurize(&rules, &s.texts, &s.labels, lang, families);
    let en_tr = ex(&en_train, Lang::En);
    let en_va = ex(&en_val, Lang::En);
    let fr_va = ex(&fr_val, Lang::Fr);
    let fr_tr = fr_train.as_ref().map(|s| ex(s, Lang::Fr));
    let fr_eval = |extra: &[Example], h: Hyper, frac: f64| {
        fr_report(fr_tr.as_deref(), &fr_va, extra, h, frac)
    };

    println!("\n== learning curve (macro-F1; en on en val, fr by the protocol above)");
    for frac in [0.25, 0.5, 0.75, 1.0] {
        let en_part = subset(&en_tr, frac);
        let mut en_set = en_part.clone();
        if joint {
            en_set.extend(fr_tr.clone().unwrap_or_else(|| fr_va.clone()));
        }
        let en = report_of(&train(&en_set, h), &en_va, h).macro_f1();
        let fr = fr_eval(if joint { &en_part } else { &[] }, h, frac).macro_f1();
        println!("{:>4.0}% of train: en {en:.3}  fr {fr:.3}", frac * 100.0);
    }

    // Final fit: English train, plus all French labelled data (French val only when there is no
    // French train split: its figures above are cross-validated, the in-sample ones below are not
    // estimates).
    let fr_all: Vec<Example> = fr_tr.clone().unwrap_or_else(|| fr_va.clone());
    let models = if joint {
        let mut all = en_tr.clone();
        all.extend(fr_all.iter().cloned());
        vec![train(&all, h).quantise()]
    } else {
        vec![train(&fr_all, h).quantise(), train(&en_tr, h).quantise()]
    };
    let mut model = Model {
        families,
        polar_span: 0.0,
        rule_trust: f32::INFINITY,
        models,
    };
    let vader_rows = vader.as_deref().map(load_vader).unwrap_or_default();

    // Rule trust and neutral offset, chosen on UMSAB (en val; fr by the protocol above), never
    // on VADER: VADER's figures for each setting are printed for information only.
    println!("\n== rule trust x neutral offset (chosen on the UMSAB mean; VADER for information)");
    // Every setting's mean first; the choice comes after, with noise in mind.
    let mut tried: Vec<(f64, f32, f32)> = Vec::new();
    for trust in [f32::INFINITY, 0.4, 0.5, 0.6, 0.7, 0.8] {
        for delta in [0.25f32, 0.0, -0.25, -0.5] {
            model.rule_trust = trust;
            for w in &mut model.models {
                w.offset = [0.0, delta, 0.0];
            }
            let s = SentimentScorer::from_model_bytes(&model.to_bytes())?;
            RULE_TRUST.with(|t| t.set(trust));
            NEUTRAL_OFFSET.with(|o| o.set(delta));
            let en = evaluate(&s, &en_val.texts, &en_val.labels, LangMode::Fixed(Lang::En));
            let fr = fr_eval(if joint { &en_tr } else { &[] }, h, 1.0);
            let mean = (en.macro_f1() + fr.macro_f1()) / 2.0;
            let (r0, a0) = vader_r(&s, &vader_rows, 0);
            let (r2, a2) = vader_r(&s, &vader_rows, 2);
            println!(
                "trust {trust:.2} offset {delta:+.2}: en val F1 {:.3} | fr F1 {:.3} | mean {mean:.3} | VADER A r {r0:.4} acc {a0:.3}, B r {r2:.4} acc {a2:.3}",
                en.macro_f1(),
                fr.macro_f1()
            );
            tried.push((mean, trust, delta));
        }
    }
    // A few hundred tweets per language measure macro-F1 to about ±0.02: among the settings
    // within NOISE of the best mean, the rules keep the most say (the lowest trust), because
    // their strong readings (negation, litotes such as "pas mal du tout") were checked by hand
    // and hold on other data, where a model fitted on 324 French tweets may not.
    const NOISE: f64 = 0.01;
    let top = tried.iter().map(|t| t.0).fold(f64::MIN, f64::max);
    let best = tried
        .iter()
        .filter(|t| t.0 >= top - NOISE)
        .min_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .copied()
        .unwrap_or((top, f32::INFINITY, 0.0));
    RULE_TRUST.with(|t| t.set(f32::INFINITY));
    NEUTRAL_OFFSET.with(|o| o.set(0.0));
    model.rule_trust = best.1;
    for w in &mut model.models {
        w.offset = [0.0, best.2, 0.0];
    }
    println!("chosen rule trust {} neutral offset {}", best.1, best.2);

    // How far a polar decision against the rules leaves the band: chosen on the VADER tweets
    // with id ≡ 0 (mod 4), reported on both halves (the classes, hence UMSAB, do not change).
    if !vader_rows.is_empty() {
        println!(
            "\n== polar span (VADER tweets; chosen on ids ≡ 0 mod 4, reported on both halves)"
        );
        // Zero (a fixed 0.06) is left out on purpose: the magnitude is meant to grow with the
        // model's confidence, and half A cannot tell 0 from 0.05 apart (±0.0001 in r).
        let mut best = (f64::MIN, 0.05);
        for span in [0.05f32, 0.1, 0.2, 0.3, 0.5] {
            model.polar_span = span;
            let s = SentimentScorer::from_model_bytes(&model.to_bytes())?;
            let (r0, a0) = vader_r(&s, &vader_rows, 0);
            let (r2, a2) = vader_r(&s, &vader_rows, 2);
            println!("span {span:.2}: half A r {r0:.4} acc {a0:.3} | half B r {r2:.4} acc {a2:.3}");
            if r0 > best.0 + 1e-9 {
                best = (r0, span);
            }
        }
        model.polar_span = best.1;
        println!("chosen polar span {}", best.1);
    }

    let bytes = model.to_bytes();
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, &bytes)?;
    println!("\nwrote {} ({} bytes)", out.display(), bytes.len());

    // End-to-end check through the real scorer (quantised weights, compound mapping, ±0.05).
    let s = SentimentScorer::from_model_bytes(&bytes)?;
    println!("\n== shipped model through SentimentScorer::score");
    for (name, split, lang) in [
        ("en train (in-sample)", Some(&en_train), Lang::En),
        ("en val", Some(&en_val), Lang::En),
        ("fr train (in-sample)", fr_train.as_ref(), Lang::Fr),
        (
            if fr_tr.is_some() {
                "fr val"
            } else {
                "fr val (in-sample: see CV above)"
            },
            Some(&fr_val),
            Lang::Fr,
        ),
    ] {
        let Some(split) = split else { continue };
        for (mode, tag) in [(LangMode::Fixed(lang), ""), (LangMode::Detect, " [detect]")] {
            let r = evaluate(&s, &split.texts, &split.labels, mode);
            println!(
                "{name}{tag}: macro-F1 {:.3}  acc {:.3}",
                r.macro_f1(),
                r.accuracy()
            );
        }
    }
    if !vader_rows.is_empty() {
        for (half, name) in [(0, "A (ids 0 mod 4)"), (2, "B (ids 2 mod 4)")] {
            let (r, a) = vader_r(&s, &vader_rows, half);
            println!("VADER half {name}: r {r:.4}  acc {a:.3}");
        }
    }
    Ok(())
}
