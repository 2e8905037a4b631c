//! `make bench`, deadline-night part (issue 18): N applicants at once, each uploading a 5 MiB PDF
//! and confirming (确认申报), against the release binary on PostgreSQL.
//!
//! For each N in `SURGE_SIZES` (default `20,200`) a fresh server with demo data (its own process,
//! so its memory is its own) gets N new people, each with a 卫生/中级 draft at the demo hospital
//! whose evidence is still missing — set up through the API before the clock starts — and is
//! restarted on the same data, so its peak memory is the night's. Then all N at once: upload one
//! 5 MiB scanned PDF, add the three items that need evidence, 确认申报. Printed per N: errors (any
//! answer not 2xx), the upload's and the whole applicant's p50/p99, the server's resident memory
//! before and at its peak (`VmHWM`), its peak thread count, and the upload throughput
//! next to a plain copy of the same bytes on the same disk (the same N files written and synced,
//! N at once, in the server's data folder). Targets: 0 errors, peak memory flat in N (streaming),
//! throughput ≥ 50 % of the disk copy.
//!
//! The binary is `ZHICHENG_BIN` (the Makefile passes the release build) and the database server
//! `TEST_DATABASE_URL` (the Makefile passes `BENCH_PG_URL`, default the local PostgreSQL).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark, not the request path

use std::sync::Arc;
use std::time::Instant;

use e2e::{DEMO_PASSWORD, Server};
use futures_util::StreamExt;
use lopdf::{Document, Object, Stream, dictionary};
use rand::RngCore;
use serde_json::{Value, json};
use tokio::sync::Barrier;

/// Just under the default `storage.max_upload_bytes` (5 MiB), with room for the PDF's own bytes.
const PDF_BYTES: usize = 5 * 1024 * 1024 - 16 * 1024;
const PASSWORD: &str = "Surge#2026night";

fn sizes() -> Vec<usize> {
    std::env::var("SURGE_SIZES")
        .unwrap_or_else(|_| "20,200".into())
        .split(',')
        .map(|s| s.trim().parse().expect("SURGE_SIZES: numbers separated by commas"))
        .collect()
}

/// A one-page A4 PDF showing a grey "scan" of random pixels (incompressible, as a photo is),
/// `PDF_BYTES` long give or take its structure.
fn scanned_pdf() -> Vec<u8> {
    let width = 2048usize;
    let height = PDF_BYTES / width;
    let mut pixels = vec![0u8; width * height];
    rand::rng().fill_bytes(&mut pixels);
    let mut doc = Document::with_version("1.7");
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => width as i64, "Height" => height as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        pixels,
    ));
    let content = doc.add_object(Stream::new(dictionary! {}, b"q 595 0 0 842 0 0 cm /Scan Do Q".to_vec()));
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "Contents" => content,
        "Resources" => dictionary! { "XObject" => dictionary! { "Scan" => image } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    assert!(bytes.len() <= 5 * 1024 * 1024, "the scan fits the upload limit: {}", bytes.len());
    bytes
}

/// A resident-memory line of `/proc/<pid>/status` in MiB (`VmRSS`, `VmHWM`).
fn memory(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn check(what: &str, status: u16, body: &Value) -> Result<(), String> {
    if (200..300).contains(&status) { Ok(()) } else { Err(format!("{what} answered {status}: {body}")) }
}

/// A new person with a 卫生/中级 draft at the demo hospital: 基本信息 confirmed, the items that need
/// no evidence added. Returns the token and the declaration's id.
async fn applicant(server: &Server, hospital: &str, year: i32, seq: u32) -> (String, String) {
    let username = format!("surge{seq}");
    let (status, body) = server
        .post(
            None,
            "/auth/register/person",
            &json!({"username": username, "password": PASSWORD, "real_name": "夜申报",
            "id_number": e2e::id_number(seq), "phone": format!("1370002{seq:04}")}),
        )
        .await
        .unwrap();
    check("register", status, &body).unwrap();
    let token = server.login(&username, PASSWORD).await.unwrap();
    let (status, draft) = server
        .post(
            Some(&token),
            "/declarations",
            &json!({"year": year, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": hospital}),
        )
        .await
        .unwrap();
    check("draft", status, &draft).unwrap();
    let id = draft["id"].as_str().unwrap().to_string();
    let gender = if e2e::id_number(seq).as_bytes()[16] % 2 == 1 { "男" } else { "女" };
    let (status, body) = server
        .patch(&token, &format!("/declarations/{id}"), &json!({"basic_confirmed": true, "info": {"gender": gender,
            "birth_date": "1988-08-08", "ethnicity": "汉族", "education": "大学本科", "major": "护理学", "position": "护士",
            "work_start_date": "2010-07-01", "profession_years": 14}}))
        .await
        .unwrap();
    check("基本信息", status, &body).unwrap();
    for (section, data) in [
        ("annual_review", json!({"year": year - 1, "result": "合格"})),
        ("work", json!({"start_date": "2010-07-01", "org_name": "济阳区人民医院", "position": "护士"})),
    ] {
        let (status, body) = server
            .post(Some(&token), &format!("/declarations/{id}/items"), &json!({"section": section, "data": data}))
            .await
            .unwrap();
        check(section, status, &body).unwrap();
    }
    (token, id)
}

/// One applicant's night: the upload, then the items that need it and 确认申报. Returns the
/// upload's end and the whole's end.
async fn night(
    server: &Server,
    pdf: &'static [u8],
    year: i32,
    token: &str,
    id: &str,
) -> Result<(Instant, Instant), String> {
    let part =
        reqwest::multipart::Part::bytes(pdf).file_name("职称证书扫描件.pdf").mime_str("application/pdf").unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let response = server
        .client
        .post(server.url("/attachments"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .map_err(|e| format!("upload: {e}"))?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    check("upload", status, &body)?;
    let uploaded = Instant::now();
    let evidence = body["id"].as_str().unwrap_or_default().to_string();
    for (section, data) in [
        (
            "education",
            json!({"school": "山东大学", "major": "护理学", "education": "大学本科", "graduation_date": "2010-06-30"}),
        ),
        ("achievement", json!({"name": "护理成果", "kind": "论文", "date": "2024-01-01"})),
        ("continuing_education", json!({"year": year - 1, "hours": 90, "credit_type": "I类学分"})),
    ] {
        let (status, body) = server
            .post(
                Some(token),
                &format!("/declarations/{id}/items"),
                &json!({"section": section, "data": data, "attachment_ids": [evidence]}),
            )
            .await
            .map_err(|e| format!("{section}: {e}"))?;
        check(section, status, &body)?;
    }
    let (status, body) = server.submit(token, id).await.map_err(|e| format!("确认申报: {e}"))?;
    check("确认申报", status, &body)?;
    Ok((uploaded, Instant::now()))
}

struct Figures {
    n: usize,
    errors: Vec<String>,
    upload: (f64, f64),
    whole: (f64, f64),
    rss_before: f64,
    rss_peak: f64,
    threads: f64,
    upload_mb_s: f64,
    copy_mb_s: f64,
}

/// Writes `n` copies of `bytes` into `dir`, each synced, all at once: the disk's own rate for
/// what the uploads store. MB/s.
async fn disk_copy(dir: &std::path::Path, bytes: &'static [u8], n: usize) -> f64 {
    use tokio::io::AsyncWriteExt;
    let dir = dir.join("copy");
    tokio::fs::create_dir_all(&dir).await.unwrap();
    let started = Instant::now();
    let writes = (0..n).map(|i| {
        let path = dir.join(format!("{i}.pdf"));
        async move {
            let mut file = tokio::fs::File::create(&path).await.unwrap();
            file.write_all(bytes).await.unwrap();
            file.sync_all().await.unwrap();
        }
    });
    futures_util::future::join_all(writes).await;
    let seconds = started.elapsed().as_secs_f64();
    tokio::fs::remove_dir_all(&dir).await.unwrap();
    (n * bytes.len()) as f64 / 1e6 / seconds
}

async fn run(n: usize, pdf: &'static [u8]) -> Figures {
    let mut server = Server::start(&[("RUST_LOG", "error")]).await.unwrap();
    let reviewer = server.login("hospital_reviewer", DEMO_PASSWORD).await.unwrap();
    let (_, me) = server.get(Some(&reviewer), "/me").await.unwrap();
    let hospital = me["org"]["id"].as_str().unwrap().to_string();
    let year = server.demo_plan_year(&reviewer).await.unwrap();
    let prepared = Instant::now();
    let applicants: Vec<(String, String)> = futures_util::stream::iter(0..n)
        .map(|seq| applicant(&server, &hospital, year, u32::try_from(seq).unwrap()))
        .buffered(4)
        .collect()
        .await;
    println!("  {n} applicants set up in {:.1} s", prepared.elapsed().as_secs_f64());
    // A fresh process for the night itself (same database, files and keys, so the tokens hold):
    // its peak memory is the surge's, not what password hashing during the set-up left behind.
    assert!(server.terminate().unwrap(), "the server stops cleanly");
    server.spawn().unwrap();
    let server = Arc::new(server);
    let pid = server.pid().unwrap();
    let rss_before = memory(pid, "VmRSS:");
    // The server's threads, sampled through the night (each thread's stack and malloc arena is
    // resident memory; one run here went from 18 threads at N=20 to 31 at N=200).
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut most = 0.0f64;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                most = most.max(memory(pid, "Threads:") * 1024.0);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            most
        })
    };
    let barrier = Arc::new(Barrier::new(n));
    let started = Instant::now();
    let tasks: Vec<_> = applicants
        .into_iter()
        .map(|(token, id)| {
            let (server, barrier) = (server.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let start = Instant::now();
                night(&server, pdf, year, &token, &id).await.map(|(uploaded, done)| (start, uploaded, done))
            })
        })
        .collect();
    let mut errors = Vec::new();
    let (mut uploads, mut wholes, mut last_upload) = (Vec::new(), Vec::new(), started);
    for task in tasks {
        match task.await.unwrap() {
            Ok((start, uploaded, done)) => {
                uploads.push((uploaded - start).as_secs_f64() * 1000.0);
                wholes.push((done - start).as_secs_f64() * 1000.0);
                last_upload = last_upload.max(uploaded);
            }
            Err(error) => errors.push(error),
        }
    }
    let rss_peak = memory(pid, "VmHWM:");
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let threads = sampler.await.unwrap();
    let upload_seconds = (last_upload - started).as_secs_f64();
    uploads.sort_by(f64::total_cmp);
    wholes.sort_by(f64::total_cmp);
    let upload_mb_s = (uploads.len() * pdf.len()) as f64 / 1e6 / upload_seconds.max(f64::EPSILON);
    let copy_mb_s = disk_copy(server.data_dir.path(), pdf, n).await;
    if let Some(rows) = server.sql("SELECT count(*) FROM declarations WHERE status = 'pending'").unwrap() {
        let pending: usize = rows[0].parse().unwrap();
        assert_eq!(pending + errors.len(), n, "every confirmed declaration is 待审核");
    }
    let (upload, whole) = if uploads.is_empty() {
        ((0.0, 0.0), (0.0, 0.0))
    } else {
        ((percentile(&uploads, 0.5), percentile(&uploads, 0.99)), (percentile(&wholes, 0.5), percentile(&wholes, 0.99)))
    };
    Figures { n, errors, upload, whole, rss_before, rss_peak, threads, upload_mb_s, copy_mb_s }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let pdf: &'static [u8] = Box::leak(scanned_pdf().into_boxed_slice());
        println!(
            "deadline night: each applicant uploads a {:.2} MiB PDF, adds 3 items and confirms",
            pdf.len() as f64 / 1048576.0
        );
        let mut table = Vec::new();
        for n in sizes() {
            let figures = run(n, pdf).await;
            for error in figures.errors.iter().take(5) {
                println!("  error: {error}");
            }
            table.push(figures);
        }
        println!();
        println!(
            "{:>5} | {:>6} | {:>17} | {:>19} | {:>18} | {:>7} | {:>8} | {:>9} | {:>5}",
            "N",
            "errors",
            "upload p50/p99 ms",
            "whole p50/p99 ms",
            "RSS before/peak MiB",
            "threads",
            "upload MB/s",
            "disk MB/s",
            "ratio"
        );
        for f in &table {
            println!(
                "{:>5} | {:>6} | {:>17} | {:>19} | {:>19} | {:>7.0} | {:>11.1} | {:>9.1} | {:>5.2}",
                f.n,
                f.errors.len(),
                format!("{:.0}/{:.0}", f.upload.0, f.upload.1),
                format!("{:.0}/{:.0}", f.whole.0, f.whole.1),
                format!("{:.0}/{:.0}", f.rss_before, f.rss_peak),
                f.threads,
                f.upload_mb_s,
                f.copy_mb_s,
                f.upload_mb_s / f.copy_mb_s
            );
        }
        if let (Some(first), Some(last)) = (table.first(), table.last()) {
            println!(
                "\npeak memory at N={} / N={}: {:.2}× (flat is 1×)",
                last.n,
                first.n,
                last.rss_peak / first.rss_peak
            );
        }
    });
}
