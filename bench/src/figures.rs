//! The measurements, each beside its reference.

use std::{
    collections::HashMap,
    io::Write,
    time::{Duration, Instant},
};

use api::{
    auth::{Claims, JwtKeys},
    config::JwtConfig,
};
use chrono::NaiveDate;
use entities::{
    enums::Role,
    schema::{
        allocation, declaration_batch, declaration_line, indexation_run, product, region, tariff,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, Statement, TransactionTrait,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    bulk, err,
    generate::{DECLARED_MONTHS, YEAR},
    tools::{self, Load, Process},
    Backend, Options,
};

const JWT_SECRET: &str = "zorgregie-bench-secret";
/// The year the indexation bench indexes (tariffs valid on 31 Dec of the year before).
const INDEX_YEAR: i32 = YEAR + 1;

/// One line of the results table.
#[derive(Debug, Clone)]
pub struct Figure {
    pub what: String,
    pub measured: String,
    pub reference: String,
    /// measured / reference, oriented so that higher is better for zorgregie
    /// (rate ÷ rate, or reference time ÷ our time).
    pub ratio: Option<f64>,
    pub target: String,
}

impl Figure {
    fn new(
        what: &str,
        measured: String,
        reference: String,
        ratio: Option<f64>,
        target: &str,
    ) -> Self {
        Self {
            what: what.into(),
            measured,
            reference,
            ratio,
            target: target.into(),
        }
    }
}

struct Region {
    id: Uuid,
    code: String,
    token: String,
}

struct Bench<'a> {
    options: &'a Options,
    /// The scratch database the api, the jobs and pgbench all use.
    url: String,
    db: DatabaseConnection,
    http: reqwest::Client,
    base: String,
    regions: Vec<Region>,
    /// The region with the most allocations.
    largest: usize,
    figures: Vec<Figure>,
    /// The iWmo figure's template allocation and month, measured last: its
    /// 20,000 copies (new clients, in force all year) would otherwise enter
    /// the report, outflow and RSS figures of the largest region.
    iwmo_pending: Option<(allocation::Model, (NaiveDate, NaiveDate))>,
    /// The concurrency curve's lines to copy, measured after the iWmo
    /// figure for the same reason.
    curve_pending: Option<CurvePlan>,
}

/// What the concurrency curve copies: the December lines of the ingestion
/// figure, one per allocation in force all month.
struct CurvePlan {
    eligible: Vec<allocation::Model>,
    codes: HashMap<Uuid, String>,
    period: (NaiveDate, NaiveDate),
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn ratio(ours: f64, reference: f64) -> Option<f64> {
    (ours > 0.0 && reference > 0.0).then(|| ours / reference)
}

pub async fn measure(options: &Options, url: &str) -> Result<Vec<Figure>, String> {
    let bin = tools::bin_dir()?;
    let port = tools::free_port()?;
    let env = vec![
        ("DATABASE_URL", url.to_owned()),
        ("BIND_ADDR", format!("127.0.0.1:{port}")),
        ("JWT_SECRET", JWT_SECRET.to_owned()),
        ("EMBEDDED_WORKER", "false".to_owned()),
    ];
    let api = Process::spawn(&bin.join("api"), &["serve"], &env)?;
    let db = api::db::connect(url).await.map_err(err)?;
    let keys = JwtKeys::new(&JwtConfig {
        secret: JWT_SECRET.into(),
        secret_is_default: false,
        jwks_file: None,
        issuer: "zorgregie".into(),
        audience: "zorgregie-api".into(),
    })?;
    #[allow(clippy::disallowed_methods)] // the tenants themselves
    let mut regions: Vec<Region> = region::Entity::find()
        .all(&db)
        .await
        .map_err(err)?
        .into_iter()
        .map(|r| {
            let claims = Claims::new("bench", &r.code, Role::RegionAdmin, keys.config(), 6 * 3600);
            Ok(Region {
                id: r.id,
                token: keys.sign(&claims).map_err(|e| format!("{e:?}"))?,
                code: r.code,
            })
        })
        .collect::<Result<_, String>>()?;
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    let mut sizes = Vec::new();
    for r in &regions {
        sizes.push(
            allocation::Entity::scoped(&RegionScope::new(r.id))
                .count(&db)
                .await
                .map_err(err)?,
        );
    }
    let largest = (0..regions.len()).max_by_key(|&i| sizes[i]).unwrap_or(0);
    let mut bench = Bench {
        options,
        url: url.to_owned(),
        db,
        http: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}/api/v1"),
        regions,
        largest,
        figures: Vec::new(),
        iwmo_pending: None,
        curve_pending: None,
    };
    bench.wait_for_api().await?;
    bench.configure_regions().await?;
    let wanted = |part: &str| options.only.is_empty() || options.only.iter().any(|o| o == part);
    if wanted("ingestion") {
        bench.ingestion().await?;
    }
    if wanted("reads") {
        bench.reads().await?;
    }
    bench.figures.push(Figure::new(
        "api peak RSS (after ingestion and reads)",
        format!("{:.0} MiB", api.peak_rss_mib().unwrap_or(f64::NAN)),
        "–".into(),
        None,
        "< 150 MiB",
    ));
    if wanted("reports") {
        bench.reports().await?;
    }
    if wanted("outflow") {
        bench.outflow().await?;
    }
    if wanted("indexation") {
        bench.indexation().await?;
    }
    if wanted("worker") {
        bench.worker_rss(&bin, &env).await?;
    }
    if let Some((template, month)) = bench.iwmo_pending.take() {
        bench.iwmo_ingestion(template, month).await?;
        bench.figures.push(Figure::new(
            "api peak RSS (after the iWmo 323 as well)",
            format!("{:.0} MiB", api.peak_rss_mib().unwrap_or(f64::NAN)),
            "–".into(),
            None,
            "< 150 MiB",
        ));
    }
    if let Some(plan) = bench.curve_pending.take() {
        bench.concurrent_ingestion(plan).await?;
    }
    drop(api);
    bench.db.close().await.map_err(err)?;
    Ok(bench.figures)
}

impl Bench<'_> {
    fn largest(&self) -> &Region {
        &self.regions[self.largest]
    }

    async fn send(
        &self,
        method: reqwest::Method,
        region: &Region,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let url = format!("{}/regions/{}/{path}", self.base, region.code);
        let reply = self
            .http
            .request(method, &url)
            .bearer_auth(&region.token)
            .header("Idempotency-Key", Uuid::now_v7().to_string())
            .json(&body)
            .send()
            .await
            .map_err(err)?;
        let status = reply.status();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("{url}: {status} {body}"));
        }
        Ok(body)
    }

    async fn wait_for_api(&self) -> Result<(), String> {
        let region = self.largest();
        for _ in 0..300 {
            let reply = self
                .http
                .get(format!("{}/regions/{}", self.base, region.code))
                .bearer_auth(&region.token)
                .send()
                .await;
            if reply.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the api did not come up in 30 s".into())
    }

    /// Index figures, indexation and outflow policies, through the API.
    async fn configure_regions(&self) -> Result<(), String> {
        use reqwest::Method;
        for r in &self.regions {
            for (series, year, body) in [
                (
                    "ova",
                    YEAR,
                    json!({ "forecast": "3.87", "definitive": "4.21" }),
                ),
                ("ova", INDEX_YEAR, json!({ "forecast": "3.30" })),
                (
                    "ppc",
                    YEAR,
                    json!({ "forecast": "2.90", "definitive": "3.35" }),
                ),
                ("ppc", INDEX_YEAR, json!({ "forecast": "2.10" })),
            ] {
                self.send(
                    Method::PUT,
                    r,
                    &format!("index-figures/{series}/{year}"),
                    body,
                )
                .await?;
            }
            self.send(
                Method::PUT,
                r,
                "policies/indexation/region",
                json!({ "weights": { "ova": "0.7", "ppc": "0.3" }, "postCalculation": true, "indexDecimals": 2,
                        "indexRounding": "half-away-from-zero", "tariffDecimals": 2,
                        "tariffRounding": "half-away-from-zero", "previewOn": "10-01" }),
            )
            .await?;
            self.send(
                Method::PUT,
                r,
                "policies/outflow-threshold/region",
                json!({ "minClients": 10, "window": "calendar-year", "level": "region",
                        "count": "approved-declarations", "graceForNewContracts": true, "runOn": "01-15" }),
            )
            .await?;
        }
        Ok(())
    }

    /// Figure 1: December's lines of the largest region through
    /// `POST …/declarations` (10,000 per batch, two at a time), then the same
    /// rows bulk-loaded.
    async fn ingestion(&mut self) -> Result<(), String> {
        let region = self.largest();
        let scope = RegionScope::new(region.id);
        let month = DECLARED_MONTHS + 1;
        let (first, last) = (
            NaiveDate::from_ymd_opt(YEAR, month, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(YEAR, 12, 31).unwrap_or_default(),
        );
        let codes: HashMap<Uuid, String> = product::Entity::scoped(&scope)
            .all(&self.db)
            .await
            .map_err(err)?
            .into_iter()
            .map(|p| (p.id, p.code))
            .collect();
        let eligible: Vec<allocation::Model> = allocation::Entity::scoped(&scope)
            .filter(allocation::Column::StartDate.lte(first))
            .filter(
                sea_orm::Condition::any()
                    .add(allocation::Column::EndDate.is_null())
                    .add(allocation::Column::EndDate.gte(last)),
            )
            .all(&self.db)
            .await
            .map_err(err)?;
        let template = self.iwmo_template(&eligible).await?;
        let lines: Vec<Value> = eligible
            .iter()
            .map(|a| december_line(a, &codes, (first, last)))
            .collect();
        let batches: Vec<Vec<Value>> = lines
            .chunks(api::routes::declarations::MAX_LINES)
            .map(<[Value]>::to_vec)
            .collect();
        let started = Instant::now();
        let mut replies = Vec::new();
        for pair in batches.chunks(2) {
            let sends = pair.iter().map(|b| {
                self.send(
                    reqwest::Method::POST,
                    region,
                    "declarations",
                    json!({ "lines": b }),
                )
            });
            for reply in futures_util::future::join_all(sends).await {
                replies.push(reply?);
            }
        }
        let http = started.elapsed();
        let approved: i64 = replies
            .iter()
            .filter_map(|r| r["approvedCount"].as_i64())
            .sum();
        if approved != lines.len() as i64 {
            return Err(format!(
                "ingestion: {approved} of {} lines approved; the generated data and the rules disagree: {}",
                lines.len(),
                replies.first().map(|r| r["lines"][0].to_string()).unwrap_or_default()
            ));
        }

        // The reference: the stored rows again, as a new batch, through the bulk path.
        let batch_ids: Vec<Uuid> = replies
            .iter()
            .filter_map(|r| r["id"].as_str()?.parse().ok())
            .collect();
        let stored = declaration_line::Entity::scoped(&scope)
            .filter(declaration_line::Column::BatchId.is_in(batch_ids))
            .all(&self.db)
            .await
            .map_err(err)?;
        let copy_batch = declaration_batch::Model {
            region_id: region.id,
            id: Uuid::now_v7(),
            idempotency_key: format!("bench-bulk-{}", Uuid::now_v7()),
            request_hash: String::new(),
            submitted_by: "bench".into(),
            submitter: "actor:bench".into(),
            line_count: stored.len() as i32,
            approved_count: stored.len() as i32,
            created_at: chrono::Utc::now(),
        };
        bulk::load::<declaration_batch::Entity>(&self.db, vec![copy_batch.clone()])
            .await
            .map_err(err)?;
        let copies: Vec<declaration_line::Model> = stored
            .into_iter()
            .map(|l| declaration_line::Model {
                id: Uuid::now_v7(),
                batch_id: copy_batch.id,
                ..l
            })
            .collect();
        let count = copies.len();
        let started = Instant::now();
        bulk::load::<declaration_line::Entity>(&self.db, copies)
            .await
            .map_err(err)?;
        let raw = started.elapsed();
        declaration_line::Entity::delete_scoped(&scope)
            .filter(declaration_line::Column::BatchId.eq(copy_batch.id))
            .exec(&self.db)
            .await
            .map_err(err)?;
        declaration_batch::Entity::delete_scoped_by_id(&self.db, &scope, copy_batch.id)
            .await
            .map_err(err)?;

        let ours = lines.len() as f64 / secs(http);
        let reference = count as f64 / secs(raw);
        let bulk_name = match self.options.backend {
            Backend::Postgres => "COPY",
            Backend::Sqlite => "multi-row INSERT, one transaction",
        };
        self.figures.push(Figure::new(
            &format!(
                "declaration ingestion, HTTP batches of 10,000 ({} lines, all approved)",
                lines.len()
            ),
            format!("{ours:.0} lines/s"),
            format!("{reference:.0} lines/s ({bulk_name})"),
            ratio(ours, reference),
            "≥ 30,000 lines/s and ≥ 0.6×",
        ));
        self.iwmo_pending = template.map(|t| (t, (first, last)));
        self.curve_pending = Some(CurvePlan {
            eligible,
            codes,
            period: (first, last),
        });
        Ok(())
    }

    /// Figure 5: `GET` a tariff and an allocation under `wrk`, and `pgbench` on the same SELECT.
    async fn reads(&mut self) -> Result<(), String> {
        let (region_id, code, token) = {
            let r = self.largest();
            (r.id, r.code.clone(), r.token.clone())
        };
        let scope = RegionScope::new(region_id);
        let Some(t) = tariff::Entity::scoped(&scope)
            .one(&self.db)
            .await
            .map_err(err)?
        else {
            return Err("no tariff to read".into());
        };
        let Some(a) = allocation::Entity::scoped(&scope)
            .one(&self.db)
            .await
            .map_err(err)?
        else {
            return Err("no allocation to read".into());
        };
        let postgres = self.db.get_database_backend() == DbBackend::Postgres;
        let reads = [
            (
                "tariff by id",
                format!("{}/regions/{}/tariffs/{}", self.base, code, t.id),
                format!(
                    "SELECT * FROM tariffs WHERE region_id = '{}' AND id = '{}'",
                    region_id, t.id
                ),
            ),
            (
                "allocation by number",
                format!(
                    "{}/regions/{}/allocations/{}",
                    self.base, code, a.allocation_number
                ),
                format!(
                    "SELECT * FROM allocations WHERE region_id = '{}' AND allocation_number = {}",
                    region_id, a.allocation_number
                ),
            ),
        ];
        let (c, d) = (self.options.connections, self.options.load_duration);
        for (what, url, sql) in reads {
            if !tools::installed("wrk") {
                self.figures.push(Figure::new(
                    &format!("API read: {what}"),
                    "not measured: wrk is not installed".into(),
                    "–".into(),
                    None,
                    "≥ 0.5× pgbench, p99 < 10 ms",
                ));
                continue;
            }
            let ours = tools::wrk(&url, &token, c, d)?;
            let reference: Option<Load> = if postgres && tools::installed("pgbench") {
                Some(tools::pgbench(&self.url, &sql, c, d)?)
            } else {
                None
            };
            self.figures.push(Figure::new(
                &format!("API read: {what} (wrk, {c} connections)"),
                format!("{:.0} req/s, p99 {:.2} ms", ours.per_second, ours.p99_ms),
                match reference {
                    Some(r) => format!(
                        "{:.0} tx/s, p99 {:.2} ms (pgbench, same SELECT)",
                        r.per_second, r.p99_ms
                    ),
                    None => "– (pgbench needs PostgreSQL)".into(),
                },
                reference.and_then(|r| ratio(ours.per_second, r.per_second)),
                "≥ 0.5× pgbench, p99 < 10 ms",
            ));
        }
        Ok(())
    }

    /// Figure 3: the report job for the largest region and for every region, vs DuckDB.
    async fn reports(&mut self) -> Result<(), String> {
        let (from, to) = (
            NaiveDate::from_ymd_opt(YEAR, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(YEAR, 12, 31).unwrap_or_default(),
        );
        let mut all = Duration::ZERO;
        for r in &self.regions {
            all += self.report_once(r.id, (from, to)).await?;
        }
        // One run of ~0.1 s varies by a quarter on this machine from one
        // bench run to the next: the largest region's figure is the median
        // of REPORT_RUNS more runs after the loop above (which made its
        // first), and DuckDB's is the median of as many.
        let mut runs = Vec::with_capacity(REPORT_RUNS);
        for _ in 0..REPORT_RUNS {
            runs.push(self.report_once(self.largest().id, (from, to)).await?);
        }
        runs.sort();
        let largest = runs[REPORT_RUNS / 2];
        let reference = if tools::duckdb_installed() {
            let csv = self.export_lines(from, to).await?;
            let result = tools::duckdb(&csv, &self.largest().id.to_string());
            let _ = std::fs::remove_file(&csv);
            Some(result?)
        } else {
            None
        };
        let n = self.regions.len();
        self.figures.push(Figure::new(
            &format!("monitoring report {YEAR}, largest region (median of {REPORT_RUNS})"),
            format!("{:.3} s", secs(largest)),
            reference.map_or("– (duckdb not installed)".into(), |(l, _)| {
                format!("{l:.3} s (DuckDB over the raw lines)")
            }),
            reference.and_then(|(l, _)| ratio(l, secs(largest))),
            "faster than DuckDB (ratio > 1)",
        ));
        self.figures.push(Figure::new(
            &format!("monitoring report {YEAR}, all {n} regions"),
            format!("{:.3} s", secs(all)),
            reference.map_or("–".into(), |(_, a)| {
                format!("{a:.3} s (DuckDB over the raw lines)")
            }),
            reference.and_then(|(_, a)| ratio(a, secs(all))),
            "< 1 s and faster than DuckDB",
        ));
        Ok(())
    }

    /// One report job for the region and period, timed.
    async fn report_once(
        &self,
        region: Uuid,
        period: (NaiveDate, NaiveDate),
    ) -> Result<Duration, String> {
        let scope = RegionScope::new(region);
        let (report, _) = domain::reports::open_report(&self.db, &scope, period, None, "bench")
            .await
            .map_err(err)?;
        let started = Instant::now();
        domain::reports::run(&self.db, region, report.id)
            .await
            .map_err(|e| format!("report: {e:?}"))?;
        Ok(started.elapsed())
    }

    /// The approved lines of the period, joined to what the report groups
    /// by, as CSV for DuckDB (a favour to DuckDB: the join is done for it).
    async fn export_lines(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<std::path::PathBuf, String> {
        let path =
            std::env::temp_dir().join(format!("zorgregie-bench-lines-{}.csv", std::process::id()));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(err)?);
        writeln!(
            out,
            "region_id,product_group_id,municipality_id,provider,client_key,amount_cents"
        )
        .map_err(err)?;
        let backend = self.db.get_database_backend();
        let sql = "SELECT l.region_id, p.product_group_id, a.municipality_id, a.provider_id, a.client_key, l.amount_cents \
                   FROM declaration_lines l \
                   JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id \
                   JOIN products p ON p.region_id = a.region_id AND p.id = a.product_id \
                   WHERE l.region_id = $1 AND l.status = 'approved' AND l.period_start >= $2 AND l.period_start <= $3";
        let sql = if backend == DbBackend::Sqlite {
            sql.replace('$', "?")
        } else {
            sql.to_owned()
        };
        // A region at a time, so the national set never sits in memory whole.
        for r in &self.regions {
            let rows = self
                .db
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    sql.clone(),
                    [r.id.into(), from.into(), to.into()],
                ))
                .await
                .map_err(err)?;
            for row in rows {
                let ids: Vec<Uuid> = (0..4)
                    .map(|i| row.try_get_by_index::<Uuid>(i))
                    .collect::<Result<_, _>>()
                    .map_err(err)?;
                let client: String = row.try_get_by_index(4).map_err(err)?;
                let amount: i64 = row.try_get_by_index(5).map_err(err)?;
                writeln!(
                    out,
                    "{},{},{},{},{client},{amount}",
                    ids[0], ids[1], ids[2], ids[3]
                )
                .map_err(err)?;
            }
        }
        out.flush().map_err(err)?;
        Ok(path)
    }

    /// Figure 4: the outflow check of every region (approved declarations, calendar year).
    async fn outflow(&mut self) -> Result<(), String> {
        let as_of = NaiveDate::from_ymd_opt(YEAR + 1, 1, 15).unwrap_or_default();
        let mut all = Duration::ZERO;
        let mut flagged = 0;
        for r in &self.regions {
            let scope = RegionScope::new(r.id);
            let Some((check, _)) = domain::outflow::open_check(&self.db, &scope, as_of, "bench")
                .await
                .map_err(|e| format!("{e:?}"))?
            else {
                return Err(format!("{}: no outflow policy", r.code));
            };
            let started = Instant::now();
            let result = domain::outflow::run(&self.db, r.id, check.id)
                .await
                .map_err(|e| format!("outflow: {e:?}"))?;
            all += started.elapsed();
            flagged += result["flagged"].as_i64().unwrap_or(0);
        }
        self.figures.push(Figure::new(
            &format!(
                "outflow check, all {} regions ({flagged} flagged)",
                self.regions.len()
            ),
            format!("{:.3} s", secs(all)),
            "–".into(),
            None,
            "< 1 s",
        ));
        Ok(())
    }

    /// Figure 2: indexation of every tariff valid on 31 December: preview and apply
    /// per region, vs one `INSERT … SELECT` + `UPDATE` doing the same
    /// arithmetic (measured first, in a transaction that is rolled back).
    async fn indexation(&mut self) -> Result<(), String> {
        let mut runs = Vec::new();
        let mut preview = Duration::ZERO;
        for r in &self.regions {
            let scope = RegionScope::new(r.id);
            let (run, job) = domain::indexation::open_run(&self.db, &scope, INDEX_YEAR, "bench")
                .await
                .map_err(err)?
                .map_err(|_| format!("{}: a run for {INDEX_YEAR} stands", r.code))?;
            let started = Instant::now();
            domain::indexation::prepare_preview(&self.db, r.id, run.id, job.job_run_id())
                .await
                .map_err(|e| format!("preview: {e:?}"))?;
            preview += started.elapsed();
            runs.push((r.id, run.id));
        }
        // The per-group factors the previews computed, for the reference SQL.
        let mut factors: Vec<(Uuid, String)> = Vec::new();
        let mut proposed = 0i64;
        for (region_id, run_id) in &runs {
            let scope = RegionScope::new(*region_id);
            let run = indexation_run::Entity::find_scoped(&self.db, &scope, *run_id)
                .await
                .map_err(err)?
                .ok_or("the run vanished")?;
            proposed += i64::from(run.proposed_count);
            let indices = run.indices.unwrap_or_default();
            for g in entities::schema::product_group::Entity::scoped(&scope)
                .all(&self.db)
                .await
                .map_err(err)?
            {
                if let Some(percent) = indices[&g.code].as_str() {
                    factors.push((g.id, percent.to_owned()));
                }
            }
        }
        let reference = self.reference_indexation(&factors).await?;

        let mut apply = Duration::ZERO;
        for (region_id, run_id) in &runs {
            let scope = RegionScope::new(*region_id);
            indexation_run::Entity::update_scoped(&scope)
                .col_expr(indexation_run::Column::Status, Expr::value("approved"))
                .filter(indexation_run::Column::Id.eq(*run_id))
                .exec(&self.db)
                .await
                .map_err(err)?;
            let job_run = domain::runs::create(
                &self.db,
                &scope,
                domain::indexation::APPLY,
                &run_id.to_string(),
            )
            .await
            .map_err(err)?;
            let started = Instant::now();
            domain::indexation::apply(&self.db, *region_id, *run_id, job_run.id)
                .await
                .map_err(|e| format!("apply: {e:?}"))?;
            apply += started.elapsed();
        }
        self.figures.push(Figure::new(
            &format!("indexation apply, {proposed} tariffs"),
            format!("{:.2} s", secs(apply)),
            format!("{:.2} s (INSERT … SELECT + UPDATE)", secs(reference)),
            ratio(secs(reference), secs(apply)),
            "≥ 0.77× (≤ 1.3× the SQL's time)",
        ));
        self.figures.push(Figure::new(
            &format!("indexation preview + apply, {proposed} tariffs"),
            format!("{:.2} s", secs(preview + apply)),
            format!("{:.2} s (same SQL)", secs(reference)),
            ratio(secs(reference), secs(preview + apply)),
            "–",
        ));
        Ok(())
    }

    async fn reference_indexation(&self, factors: &[(Uuid, String)]) -> Result<Duration, String> {
        let backend = self.db.get_database_backend();
        let dec31 = format!("{}-12-31", INDEX_YEAR - 1);
        let jan1 = format!("{INDEX_YEAR}-01-01");
        let (new_id, group, created, cast_factor) = match backend {
            DbBackend::Postgres => (
                "gen_random_uuid()",
                "CAST(f.group_id AS uuid)",
                "now()",
                "CAST(f.percent AS numeric)",
            ),
            _ => (
                "randomblob(16)",
                "f.group_id",
                "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                "CAST(f.percent AS REAL)",
            ),
        };
        let values: Vec<String> = factors
            .iter()
            .map(|(id, percent)| match backend {
                DbBackend::Postgres => format!("('{id}', '{percent}')"),
                _ => format!("(X'{}', '{percent}')", id.simple()),
            })
            .collect();
        let insert = format!(
            "INSERT INTO tariffs (region_id, id, product_id, provider_id, municipality_id, valid_from, valid_to, price_cents, supersedes_id, indexation_run_id, created_at) \
             SELECT t.region_id, {new_id}, t.product_id, t.provider_id, t.municipality_id, '{jan1}', NULL, \
                    CAST(ROUND(t.price_cents * (1 + {cast_factor} / 100)) AS BIGINT), t.id, NULL, {created} \
             FROM tariffs t \
             JOIN products p ON p.region_id = t.region_id AND p.id = t.product_id \
             JOIN (VALUES {}) AS f (group_id, percent) ON {group} = p.product_group_id \
             WHERE t.valid_from <= '{dec31}' AND (t.valid_to IS NULL OR t.valid_to >= '{dec31}')",
            values.join(", ")
        );
        let insert = if backend == DbBackend::Sqlite {
            // SQLite names VALUES columns column1, column2.
            insert
                .replace("AS f (group_id, percent)", "AS f")
                .replace("f.group_id", "f.column1")
                .replace("f.percent", "f.column2")
        } else {
            insert
        };
        let close = format!(
            "UPDATE tariffs SET valid_to = '{dec31}' WHERE valid_from <= '{dec31}' AND (valid_to IS NULL OR valid_to > '{dec31}')"
        );
        let txn = self.db.begin().await.map_err(err)?;
        let started = Instant::now();
        txn.execute_unprepared(&insert).await.map_err(err)?;
        txn.execute_unprepared(&close).await.map_err(err)?;
        let took = started.elapsed();
        txn.rollback().await.map_err(err)?;
        Ok(took)
    }

    /// Figure 6: the worker binary's peak RSS while it makes the largest region's
    /// report and outflow check, queued through the API.
    async fn worker_rss(
        &mut self,
        bin: &std::path::Path,
        env: &[(&str, String)],
    ) -> Result<(), String> {
        let worker = Process::spawn(&bin.join("worker"), &[], env)?;
        let region = self.largest();
        let report = self
            .send(
                reqwest::Method::POST,
                region,
                "reports",
                json!({ "from": format!("{YEAR}-01-01"), "to": format!("{YEAR}-12-31") }),
            )
            .await?;
        let check = self
            .send(
                reqwest::Method::POST,
                region,
                "outflow-checks",
                json!({ "asOf": format!("{}-01-15", YEAR + 1) }),
            )
            .await?;
        for job in [&report["jobId"], &check["jobId"]] {
            let id = job.as_str().ok_or("no jobId in the reply")?;
            let mut done = false;
            for _ in 0..1200 {
                let status = self
                    .http
                    .get(format!("{}/regions/{}/jobs/{id}", self.base, region.code))
                    .bearer_auth(&region.token)
                    .send()
                    .await
                    .map_err(err)?
                    .json::<Value>()
                    .await
                    .map_err(err)?;
                match status["status"].as_str() {
                    Some("succeeded") => {
                        done = true;
                        break;
                    }
                    Some("failed") => return Err(format!("worker job failed: {status}")),
                    _ => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
            if !done {
                return Err("the worker did not finish its jobs in 2 minutes".into());
            }
        }
        self.figures.push(Figure::new(
            "worker peak RSS (largest region's report and outflow check)",
            format!("{:.0} MiB", worker.peak_rss_mib().unwrap_or(f64::NAN)),
            "–".into(),
            None,
            "< 150 MiB",
        ));
        Ok(())
    }
}

/// Runs of the largest region's report whose median is its figure
/// (`duckdb_report.py` runs its reference as often).
const REPORT_RUNS: usize = 5;

/// Prestaties in the iWmo figure's 323 (and lines in its JSON twin).
const IWMO_PRESTATIES: usize = 10_000;
/// Allocation numbers of the figure's own allocations, far above the generator's.
const IWMO_FIRST_NUMBER: i64 = 900_000_000;
/// Made-up BSNs of the figure's clients: `nth_valid_bsn` from here.
const IWMO_FIRST_CLIENT: u32 = 8_000_000;

impl Bench<'_> {
    /// A Wmo allocation to copy for the iWmo figure: of the provider and
    /// municipality with the most Wmo allocations in force in December, in
    /// a unit iWmo has a code for.
    async fn iwmo_template(
        &self,
        eligible: &[allocation::Model],
    ) -> Result<Option<allocation::Model>, String> {
        use entities::{
            enums::{Law, Unit},
            schema::product_group,
        };
        let scope = RegionScope::new(self.largest().id);
        let wmo_groups: std::collections::HashSet<Uuid> = product_group::Entity::scoped(&scope)
            .all(&self.db)
            .await
            .map_err(err)?
            .into_iter()
            .filter(|g| g.law == Law::Wmo)
            .map(|g| g.id)
            .collect();
        let products: HashMap<Uuid, product::Model> = product::Entity::scoped(&scope)
            .all(&self.db)
            .await
            .map_err(err)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut counts: HashMap<(Uuid, Uuid), usize> = HashMap::new();
        let candidates: Vec<&allocation::Model> = eligible
            .iter()
            .filter(|a| {
                products.get(&a.product_id).is_some_and(|p| {
                    wmo_groups.contains(&p.product_group_id)
                        && matches!(
                            p.unit,
                            Unit::Hour | Unit::Day | Unit::DayPart | Unit::Minute
                        )
                })
            })
            .collect();
        for a in &candidates {
            *counts
                .entry((a.provider_id, a.municipality_id))
                .or_default() += 1;
        }
        Ok(candidates
            .into_iter()
            .max_by_key(|a| {
                (
                    counts[&(a.provider_id, a.municipality_id)],
                    std::cmp::Reverse(a.allocation_number),
                )
            })
            .cloned())
    }

    /// One 323 of `IWMO_PRESTATIES` prestaties, answered with its 325,
    /// against one JSON batch of as many lines: each on its own copies of
    /// `template` (one client each, in force all year), loaded in bulk.
    async fn iwmo_ingestion(
        &mut self,
        template: allocation::Model,
        period: (NaiveDate, NaiveDate),
    ) -> Result<(), String> {
        use entities::schema::{municipality, provider};
        let region = self.largest();
        let scope = RegionScope::new(region.id);
        let bsn = |i: usize| entities::bsn_check::nth_valid_bsn(IWMO_FIRST_CLIENT + i as u32);
        let all_year = allocation::Model {
            start_date: NaiveDate::from_ymd_opt(YEAR, 1, 1).unwrap_or_default(),
            end_date: None,
            ..template
        };
        let copies = fresh_copies(
            2 * IWMO_PRESTATIES,
            (IWMO_FIRST_NUMBER, IWMO_FIRST_CLIENT),
            |_| &all_year,
        );
        bulk::load::<allocation::Entity>(&self.db, copies.clone())
            .await
            .map_err(err)?;
        let (xml_set, json_set) = copies.split_at(IWMO_PRESTATIES);
        let product = product::Entity::find_scoped(&self.db, &scope, template.product_id)
            .await
            .map_err(err)?
            .ok_or("iWmo figure: the template's product is gone")?;
        let tariffs = tariff::Entity::scoped(&scope)
            .filter(tariff::Column::ProductId.eq(product.id))
            .all(&self.db)
            .await
            .map_err(err)?;
        let agb = provider::Entity::find_scoped(&self.db, &scope, template.provider_id)
            .await
            .map_err(err)?
            .map(|p| p.agb_code)
            .unwrap_or_default();
        let gemeente =
            municipality::Entity::find_scoped(&self.db, &scope, template.municipality_id)
                .await
                .map_err(err)?
                .and_then(|m| iwmo::cbs_to_municipality_code(&m.cbs_code))
                .unwrap_or_default();
        let message = declaration_323(&agb, &gemeente, xml_set, &product, &tariffs, bsn, period)?;

        let started = Instant::now();
        let reply = self
            .http
            .post(format!(
                "{}/regions/{}/iwmo/messages",
                self.base, region.code
            ))
            .bearer_auth(&region.token)
            .header("Content-Type", "application/xml")
            .body(message)
            .send()
            .await
            .map_err(err)?;
        let status = reply.status();
        let answer = reply.text().await.map_err(err)?;
        let xml_time = started.elapsed();
        if !status.is_success() || !answer.contains(">8001<") {
            return Err(format!(
                "iWmo 323: not every prestatie approved ({status}): {}",
                answer.chars().take(2_000).collect::<String>()
            ));
        }

        let lines: Vec<Value> = json_set
            .iter()
            .map(|a| {
                json!({ "allocationNumber": a.allocation_number, "productCode": product.code,
                        "periodStart": period.0, "periodEnd": period.1,
                        "deliveredVolume": half_monthly_volume(a) })
            })
            .collect();
        let started = Instant::now();
        let reply = self
            .send(
                reqwest::Method::POST,
                region,
                "declarations",
                json!({ "lines": lines }),
            )
            .await?;
        let json_time = started.elapsed();
        if reply["approvedCount"].as_u64() != Some(IWMO_PRESTATIES as u64) {
            return Err(format!("iWmo figure's JSON batch: {}", reply["lines"][0]));
        }
        let ours = IWMO_PRESTATIES as f64 / secs(xml_time);
        let reference = IWMO_PRESTATIES as f64 / secs(json_time);
        // Shown beside the ingestion figure, though measured last.
        let at = self
            .figures
            .iter()
            .position(|f| f.what.starts_with("declaration ingestion"))
            .map_or(self.figures.len(), |i| i + 1);
        self.figures.insert(
            at,
            Figure::new(
                &format!("iWmo 323 import of {IWMO_PRESTATIES} prestaties, answered with the 325"),
                format!("{ours:.0} prestaties/s"),
                format!("{reference:.0} lines/s (one JSON batch of {IWMO_PRESTATIES} lines)"),
                ratio(ours, reference),
                "≥ 0.9× the JSON batch (within 10 %)",
            ),
        );
        Ok(())
    }
}

/// Lines per batch in the concurrency curve (fewer at the smoke scale: half
/// the allocations in force in December).
const CURVE_BATCH: usize = 5_000;
/// Batches sent at once, in turn.
const CURVE_LEVELS: [usize; 4] = [1, 2, 4, 8];
/// Allocation numbers and made-up BSNs of the curve's own allocations.
const CURVE_FIRST_NUMBER: i64 = 950_000_000;
const CURVE_FIRST_CLIENT: u32 = 9_000_000;

impl Bench<'_> {
    /// Concurrent ingestion: 1, 2, 4 and 8 batches of `CURVE_BATCH` lines
    /// sent at once, each level on fresh copies of the December allocations
    /// (new clients, so every line is approved and none meets another
    /// level's history). After each level every line must be approved and
    /// stored: a deadlock or a lost line fails the figure.
    async fn concurrent_ingestion(&mut self, plan: CurvePlan) -> Result<(), String> {
        if plan.eligible.is_empty() {
            return Err("concurrency curve: no allocation in force in December".into());
        }
        let region = self.largest();
        let scope = RegionScope::new(region.id);
        let batch = CURVE_BATCH.min(plan.eligible.len() / 2).max(1);
        let needed = CURVE_LEVELS.iter().sum::<usize>() * batch;
        let copies = fresh_copies(needed, (CURVE_FIRST_NUMBER, CURVE_FIRST_CLIENT), |i| {
            &plan.eligible[i % plan.eligible.len()]
        });
        bulk::load::<allocation::Entity>(&self.db, copies.clone())
            .await
            .map_err(err)?;
        let mut copies = copies.iter();
        let mut rates = Vec::new();
        for level in CURVE_LEVELS {
            let batches: Vec<Vec<Value>> = (0..level)
                .map(|_| {
                    copies
                        .by_ref()
                        .take(batch)
                        .map(|a| december_line(a, &plan.codes, plan.period))
                        .collect()
                })
                .collect();
            let started = Instant::now();
            let replies = futures_util::future::join_all(batches.iter().map(|b| {
                self.send(
                    reqwest::Method::POST,
                    region,
                    "declarations",
                    json!({ "lines": b }),
                )
            }))
            .await;
            let took = started.elapsed();
            let mut batch_ids = Vec::new();
            for reply in replies {
                let reply = reply.map_err(|e| format!("{level} batches at once: {e}"))?;
                if reply["approvedCount"].as_u64() != Some(batch as u64) {
                    return Err(format!(
                        "{level} batches at once: a batch had {} of {batch} lines approved: {}",
                        reply["approvedCount"], reply["lines"][0]
                    ));
                }
                batch_ids.extend(reply["id"].as_str().and_then(|id| id.parse::<Uuid>().ok()));
            }
            let stored = declaration_line::Entity::scoped(&scope)
                .filter(declaration_line::Column::BatchId.is_in(batch_ids))
                .count(&self.db)
                .await
                .map_err(err)?;
            let sent = level * batch;
            if stored != sent as u64 {
                return Err(format!(
                    "{level} batches at once: {stored} of {sent} lines stored"
                ));
            }
            rates.push((level, sent as f64 / secs(took)));
        }
        let one = rates[0].1;
        let curve = rates
            .iter()
            .map(|(level, rate)| format!("{level}: {rate:.0}"))
            .collect::<Vec<_>>()
            .join(" · ")
            + " lines/s";
        // The lowest of the levels with several batches, against one.
        let lowest = rates[1..]
            .iter()
            .map(|(_, r)| r / one)
            .fold(f64::INFINITY, f64::min);
        self.figures.push(Figure::new(
            &format!(
                "concurrent ingestion, 1 · 2 · 4 · 8 batches of {batch} lines at once (every line approved and stored)"
            ),
            curve,
            format!("{one:.0} lines/s (one batch at a time)"),
            Some(lowest),
            "≥ 1× (no level below one batch at a time)",
        ));
        Ok(())
    }
}

/// `n` new allocations, the `i`th a copy of `template(i)` with a new id, a
/// number from `first_number` on and a made-up client (`nth_valid_bsn` from
/// `first_client` on, pseudonymised as the api does): the iWmo figure's and
/// the concurrency curve's own allocations.
fn fresh_copies<'a>(
    n: usize,
    (first_number, first_client): (i64, u32),
    template: impl Fn(usize) -> &'a allocation::Model,
) -> Vec<allocation::Model> {
    let secret = api::config::Config::from_env()
        .map(|c| c.client_key_secret)
        .unwrap_or_else(|_| api::config::DEVELOPMENT_CLIENT_KEY_SECRET.into());
    (0..n)
        .map(|i| {
            let bsn = entities::bsn_check::nth_valid_bsn(first_client + i as u32);
            let client_key = domain::client_key::client_key(&secret, &bsn);
            allocation::Model {
                id: Uuid::now_v7(),
                allocation_number: first_number + i as i64,
                client_number: entities::client_number::client_number(&client_key),
                client_key,
                ..template(i).clone()
            }
        })
        .collect()
}

/// One December line of `a`, half its monthly volume.
fn december_line(
    a: &allocation::Model,
    codes: &HashMap<Uuid, String>,
    (first, last): (NaiveDate, NaiveDate),
) -> Value {
    json!({ "allocationNumber": a.allocation_number,
            "productCode": codes.get(&a.product_id).cloned().unwrap_or_default(),
            "periodStart": first, "periodEnd": last,
            "deliveredVolume": half_monthly_volume(a) })
}

/// Half the monthly volume, as the ingestion figure declares.
fn half_monthly_volume(a: &allocation::Model) -> i64 {
    (a.volume_amount.unwrap_or(2) / 2).max(1)
}

/// A WMO323 declaring one month of `allocations` (one client each) at the
/// applicable tariff.
fn declaration_323(
    agb: &str,
    gemeente: &str,
    allocations: &[allocation::Model],
    product: &product::Model,
    tariffs: &[tariff::Model],
    bsn: impl Fn(usize) -> String,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<String, String> {
    use entities::{declaration_rules::applicable_tariff, enums::Unit};
    let unit = match product.unit {
        Unit::Minute => "01",
        Unit::Hour => "04",
        Unit::Day => "14",
        Unit::DayPart => "16",
        other => return Err(format!("no iWmo unit for {}", other.as_str())),
    };
    let mut total = 0i64;
    let mut clients = String::new();
    for (i, a) in allocations.iter().enumerate() {
        let tariff =
            applicable_tariff(tariffs, product.id, a.provider_id, a.municipality_id, first)
                .ok_or_else(|| format!("no tariff for {}", product.code))?;
        let volume = half_monthly_volume(a);
        let amount = volume * tariff.price_cents;
        total += amount;
        clients.push_str(&format!(
            "<wmo323:Client><wmo323:Bsn>{bsn}</wmo323:Bsn><wmo323:Prestaties><wmo323:Prestatie>\
             <wmo323:ProductReferentie><iwmo:ReferentieNummer>B{n}</iwmo:ReferentieNummer></wmo323:ProductReferentie>\
             <wmo323:ToewijzingNummer>{n}</wmo323:ToewijzingNummer><wmo323:ProductCategorie>{category}</wmo323:ProductCategorie>\
             <wmo323:ProductCode>{code}</wmo323:ProductCode><wmo323:ProductPeriode><iwmo:Begindatum>{first}</iwmo:Begindatum><iwmo:Einddatum>{last}</iwmo:Einddatum></wmo323:ProductPeriode>\
             <wmo323:GeleverdVolume>{volume}</wmo323:GeleverdVolume><wmo323:Eenheid>{unit}</wmo323:Eenheid><wmo323:ProductTarief>{price}</wmo323:ProductTarief>\
             <wmo323:IngediendBedrag><iwmo:Bedrag>{amount}</iwmo:Bedrag><iwmo:DebetCredit>D</iwmo:DebetCredit></wmo323:IngediendBedrag>\
             </wmo323:Prestatie></wmo323:Prestaties></wmo323:Client>\n",
            bsn = bsn(i),
            n = a.allocation_number,
            category = product.iwmo_category,
            code = product.code,
            price = tariff.price_cents,
        ));
    }
    // Unique per run (each run declares on a fresh copy of the data).
    let identification = format!("{:012}", chrono::Utc::now().timestamp() % 1_000_000_000_000);
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<wmo323:Bericht xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" xmlns:wmo323="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema">
<wmo323:Header><wmo323:BerichtCode>484</wmo323:BerichtCode><wmo323:BerichtVersie>3</wmo323:BerichtVersie><wmo323:BerichtSubversie>2</wmo323:BerichtSubversie>
<wmo323:Afzender>{agb}</wmo323:Afzender><wmo323:Ontvanger>{gemeente}</wmo323:Ontvanger>
<wmo323:BerichtIdentificatie><iwmo:Identificatie>{identification}</iwmo:Identificatie><iwmo:Dagtekening>{last}</iwmo:Dagtekening></wmo323:BerichtIdentificatie>
<wmo323:XsdVersie><iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie><iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie></wmo323:XsdVersie></wmo323:Header>
<wmo323:Declaratie><wmo323:DeclaratieNummer>{identification}</wmo323:DeclaratieNummer>
<wmo323:DeclaratiePeriode><iwmo:Begindatum>{first}</iwmo:Begindatum><iwmo:Einddatum>{last}</iwmo:Einddatum></wmo323:DeclaratiePeriode>
<wmo323:DeclaratieDagtekening>{last}</wmo323:DeclaratieDagtekening>
<wmo323:TotaalIngediendBedrag><iwmo:TotaalBedrag>{total}</iwmo:TotaalBedrag><iwmo:DebetCredit>D</iwmo:DebetCredit></wmo323:TotaalIngediendBedrag>
<wmo323:Clienten>
{clients}</wmo323:Clienten></wmo323:Declaratie></wmo323:Bericht>
"#
    ))
}
