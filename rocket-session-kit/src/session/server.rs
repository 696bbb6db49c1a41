//! A server-side session (files, Redis, or a store of the app's own): the
//! session lives in the store, and the cookie carries only a random id.

use std::sync::Arc;

use rocket::http::CookieJar;
use rocket::time::OffsetDateTime;

use super::cookie::SessionCookie;
use super::Mechanism;
use crate::policy::{ExpiryPolicy, Verdict};
use crate::record::{RecordChange, SessionRecord, StoredData};
use crate::store::{Decision, RecordKey, SessionId, SessionStore, StoreUnavailable};

/// A [`SessionStore`] as the place a session lives.
pub struct StoredSessions<T> {
    pub cookie: SessionCookie,
    pub policy: ExpiryPolicy,
    pub store: Arc<dyn SessionStore<T>>,
}

impl<T: StoredData> StoredSessions<T> {
    /// The session id the request's cookie carries, if it has the shape of
    /// one: any other value never reaches the store.
    fn id(&self, jar: &CookieJar<'_>) -> Option<SessionId> {
        SessionId::parse(&self.cookie.value(jar)?)
    }

    /// What becomes of a record read at `now`: the policy's verdict, with
    /// the activity recorded when it is due.
    fn on_read(
        policy: ExpiryPolicy,
        record: &mut SessionRecord<T>,
        now: OffsetDateTime,
    ) -> Decision {
        match policy.verdict(record, now) {
            Verdict::Expired => Decision::Delete,
            Verdict::Live => Decision::Keep,
            Verdict::RefreshDue => {
                record.last_seen = now;
                Decision::Write { time_to_live: policy.time_to_live(record, now) }
            }
        }
    }
}

#[rocket::async_trait]
impl<T: StoredData> Mechanism<T> for StoredSessions<T> {
    // ANCHOR: resume
    async fn resume(
        &self,
        jar: &CookieJar<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<SessionRecord<T>>, StoreUnavailable> {
        let Some(id) = self.id(jar) else { return Ok(None) };
        let Some(mut record) = self.store.get(&id).await? else { return Ok(None) };
        // Most requests stop here, after one read. Deleting an expired
        // record or recording activity goes through `modify`, which reads
        // again with nobody changing the record in between.
        if Self::on_read(self.policy, &mut record, now) != Decision::Keep {
            let policy = self.policy;
            let decide = Arc::new(move |r: &mut SessionRecord<T>| Self::on_read(policy, r, now));
            let Some(modified) = self.store.modify(&id, decide).await? else { return Ok(None) };
            record = modified;
        }
        if self.cookie.slides(&record) {
            jar.add(self.cookie.build(id.as_str().to_owned(), &record, now));
        }
        Ok(Some(record))
    }
    // ANCHOR_END: resume

    // ANCHOR: start
    async fn start(
        &self,
        jar: &CookieJar<'_>,
        previous: Option<&SessionRecord<T>>,
        record: SessionRecord<T>,
        now: OffsetDateTime,
    ) -> Result<(), StoreUnavailable> {
        // A new id at every sign-in: an id someone planted or saw before
        // sign-in is worth nothing after it (session fixation). The session
        // it replaces, if the cookie held a live one, ends.
        if let (Some(_), Some(old)) = (previous, self.id(jar)) {
            self.store.delete(&old).await?;
        }
        let id = self.store.create(&record, self.policy.time_to_live(&record, now)).await?;
        jar.add(self.cookie.build(id.as_str().to_owned(), &record, now));
        Ok(())
    }
    // ANCHOR_END: start

    // ANCHOR: change
    async fn change(
        &self,
        jar: &CookieJar<'_>,
        _: &SessionRecord<T>,
        change: RecordChange<T>,
        now: OffsetDateTime,
    ) -> Result<(), StoreUnavailable> {
        let Some(id) = self.id(jar) else { return Ok(()) };
        let policy = self.policy;
        let decide = Arc::new(move |record: &mut SessionRecord<T>| {
            if policy.is_expired(record, now) {
                return Decision::Delete;
            }
            change(record);
            record.last_seen = now;
            Decision::Write { time_to_live: policy.time_to_live(record, now) }
        });
        self.store.modify(&id, decide).await?;
        Ok(())
    }
    // ANCHOR_END: change

    // ANCHOR: end
    async fn end(&self, jar: &CookieJar<'_>) -> Result<(), StoreUnavailable> {
        match self.id(jar) {
            Some(id) => self.store.delete(&id).await,
            None => Ok(()),
        }
    }
    // ANCHOR_END: end

    fn record_key(&self, jar: &CookieJar<'_>) -> Option<RecordKey> {
        Some(RecordKey::of(&self.id(jar)?))
    }

    async fn sessions_of(
        &self,
        user_name: &str,
    ) -> Result<Option<Vec<(RecordKey, SessionRecord<T>)>>, StoreUnavailable> {
        self.store.sessions_of(user_name).await.map(Some)
    }

    async fn end_session_of(
        &self,
        user_name: &str,
        key: &RecordKey,
    ) -> Result<bool, StoreUnavailable> {
        self.store.delete_of_user(user_name, key).await
    }
}
