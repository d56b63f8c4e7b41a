//! The job worker of this process: claims due jobs and runs them.

use std::time::Duration;

use crate::error::ApiError;
use crate::mail;
use crate::state::AppState;

use super::JobRow;

/// Runs forever; started by `serve` when `jobs_enabled`.
pub async fn run(state: AppState) {
    let worker = format!("{}-{}", hostname(), uuid::Uuid::now_v7());
    let idle = Duration::from_millis(state.config.job_poll_ms.max(10));
    loop {
        let name = worker.clone();
        match state.db.run(move |conn| super::claim(conn, &name)).await {
            Ok(Some(job)) => {
                let outcome = execute(&state, &job).await;
                let result = match outcome {
                    Ok(()) => state.db.run(move |conn| super::complete(conn, &job)).await,
                    Err(error) => {
                        tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                        state
                            .db
                            .run(move |conn| super::fail(conn, &job, &error))
                            .await
                    }
                };
                if let Err(e) = result {
                    tracing::error!(error = %e, "could not record a job's outcome");
                }
            }
            Ok(None) => tokio::time::sleep(idle).await,
            Err(e) => {
                tracing::warn!(error = %e, "job queue unavailable");
                tokio::time::sleep(idle * 4).await;
            }
        }
    }
}

async fn execute(state: &AppState, job: &JobRow) -> Result<(), String> {
    match job.kind.as_str() {
        mail::JOB_KIND => {
            let message: mail::Mail =
                serde_json::from_str(&job.payload).map_err(|e| format!("bad payload: {e}"))?;
            mail::send(&state.config, &message).await
        }
        crate::notify::DIGEST_JOB => {
            let job: crate::notify::DigestJob =
                serde_json::from_str(&job.payload).map_err(|e| format!("bad payload: {e}"))?;
            let config = state.config.clone();
            state
                .db
                .tx(move |conn| crate::notify::send_digest(conn, &config, &job.user_id))
                .await
                .map_err(|e| e.to_string())
        }
        crate::reminders::JOB_KIND => crate::reminders::run_job(state).await,
        crate::desk::sweep::JOB_KIND => crate::desk::sweep::run_job(state).await,
        crate::desk::search_merge::JOB_KIND => crate::desk::search_merge::run_job(state).await,
        crate::desk::search_merge::OPTIMIZE_JOB_KIND => {
            crate::desk::search_merge::run_optimize_job(state).await
        }
        other => Err(ApiError::internal(format!("unknown job kind {other:?}")).to_string()),
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "tandem".into())
}
