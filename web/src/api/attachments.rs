//! A ticket's attachments: what the server accepts, the list, an upload (the file's raw
//! bytes, its type as `Content-Type`) and a download, which needs the bearer token like every other call and so
//! is read here and handed back as a `Blob` for the page to offer.

use shared::desk::ticket::{Attachment, AttachmentLimits};
use shared::{ErrorCode, Problem};
use web_sys::{Blob, BlobPropertyBag, File};

use super::client::{Call, local_problem, query, segment};

/// The largest file and the types the server takes, to check a file before sending it.
pub async fn limits() -> Result<AttachmentLimits, Problem> {
    Call::get("/attachment-limits").fetch().await
}

/// Oldest first; a client user does not get the files of internal notes.
pub async fn list(ticket_id: &str) -> Result<Vec<Attachment>, Problem> {
    Call::get(format!("/tickets/{}/attachments", segment(ticket_id)))
        .fetch()
        .await
}

/// Sends `file` as it is; the server checks its type and size (`422`, `413`).
pub async fn upload(ticket_id: &str, file: &File) -> Result<Attachment, Problem> {
    let qs = query(&[("filename", Some(file.name()))]);
    // A file the browser cannot type goes as generic bytes, which the server refuses by name.
    let content_type = match file.type_() {
        t if t.is_empty() => "application/octet-stream".to_string(),
        t => t,
    };
    Call::post(format!("/tickets/{}/attachments{qs}", segment(ticket_id)))
        .raw(file.clone(), &content_type)
        .fetch()
        .await
}

/// The file's bytes, typed as stored.
pub async fn download(attachment: &Attachment) -> Result<Blob, Problem> {
    let resp = Call::get(format!("/attachments/{}", segment(&attachment.id)))
        .send()
        .await?;
    let failed = || local_problem(ErrorCode::Internal, "The file could not be read.");
    let bytes = resp.binary().await.map_err(|_| failed())?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = BlobPropertyBag::new();
    options.set_type(&attachment.content_type);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| failed())
}
