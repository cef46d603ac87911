/// The database schema, one versioned migration at a time. Never edit a migration that has
/// shipped: add the next one.
///
/// Dates are `YYYY-MM-DD` text in the installation's time zone (they sort as dates); money is
/// integer minor units. Issued documents and their lines are immutable: triggers refuse
/// updates and deletes, so a mistake can only be corrected by a credit note. What changes as a
/// document is settled (amount paid, postponement) lives in `invoice_state`.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "billing core", sql: v1),
        Migration(version: 2, name: "checkouts, API tokens, outbox", sql: v2),
        Migration(version: 3, name: "admin users, sessions, sign-in attempts, portal texts", sql: v3),
    ]

    static let v3 = """
        -- People who sign in to the admin UI. `password_hash` is self-describing
        -- (`scrypt$N$r$p$salt$hash`, hex), so the parameters can be raised later.
        CREATE TABLE admin_users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_on TEXT NOT NULL
        );
        -- Signed-in sessions; only a SHA-256 of the cookie's token is kept. Times are Unix seconds.
        CREATE TABLE admin_sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES admin_users(id),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            address TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX admin_sessions_expiry ON admin_sessions(expires_at);
        -- Every sign-in attempt, for the throttle (per username and per address); pruned after a day.
        CREATE TABLE admin_sign_in_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            address TEXT NOT NULL,
            at INTEGER NOT NULL,
            succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
        );
        CREATE INDEX admin_sign_in_attempts_username ON admin_sign_in_attempts(username, at);
        CREATE INDEX admin_sign_in_attempts_address ON admin_sign_in_attempts(address, at);
        -- Texts of the portal's pages that admins edit, per language; they override the catalogue.
        CREATE TABLE portal_texts (
            key TEXT NOT NULL,
            language TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (key, language)
        );
        CREATE INDEX outbox_client ON outbox(client_id);
        CREATE INDEX audit_log_client ON audit_log(client_id);
        CREATE INDEX audit_log_date ON audit_log(on_date);
        """

    static let v2 = """
        -- A client's checkout through a payment gateway. `id` is an unguessable token that
        -- appears in URLs; a confirmed checkout points at its payment.
        CREATE TABLE checkouts (
            id TEXT PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            service_id INTEGER REFERENCES services(id),
            purpose TEXT NOT NULL CHECK (purpose IN ('reactivation', 'prepayment', 'overdue')),
            months INTEGER NOT NULL DEFAULT 0,
            amount INTEGER NOT NULL CHECK (amount > 0),
            currency TEXT NOT NULL,
            description TEXT NOT NULL,
            gateway TEXT NOT NULL,
            gateway_reference TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'declined', 'failed')),
            failure TEXT NOT NULL DEFAULT '',
            created_on TEXT NOT NULL,
            payment_id INTEGER REFERENCES payments(id),
            client_address TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX checkouts_client ON checkouts(client_id);
        CREATE UNIQUE INDEX checkouts_gateway_reference ON checkouts(gateway, gateway_reference)
            WHERE gateway_reference IS NOT NULL;
        -- Bearer tokens for the JSON API; only a SHA-256 of each token is kept.
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_on TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0
        );
        -- Messages to clients (issued documents, suspensions, releases, reactivations).
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            client_id INTEGER REFERENCES clients(id),
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            text_body TEXT NOT NULL,
            html_body TEXT NOT NULL,
            kind TEXT NOT NULL,
            created_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX outbox_queued ON outbox(status, next_attempt_at);
        -- Keys made on first use (CSRF, the test gateway's signatures), kept across restarts.
        CREATE TABLE secrets (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        """

    static let v1 = """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            monthly_price INTEGER NOT NULL CHECK (monthly_price >= 0),
            billing_periods TEXT NOT NULL,
            period_prices TEXT NOT NULL DEFAULT '',
            override_role TEXT NOT NULL CHECK (override_role IN ('primary', 'secondary', 'none'))
        );
        CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL DEFAULT '',
            use_credit INTEGER CHECK (use_credit IN (0, 1)),
            credit INTEGER NOT NULL DEFAULT 0 CHECK (credit >= 0),
            -- With facts unchanged nothing happens for this client before this date; NULL: never.
            next_event_on TEXT,
            -- Facts changed outside a run (new service, hold, activeTo): step it in the next run.
            dirty INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX clients_next_event ON clients(next_event_on);
        CREATE INDEX clients_dirty ON clients(dirty) WHERE dirty = 1;
        CREATE TABLE services (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            plan_id INTEGER NOT NULL REFERENCES plans(id),
            price INTEGER CHECK (price IS NULL OR price >= 0),
            billing_period_months INTEGER NOT NULL CHECK (billing_period_months BETWEEN 1 AND 24),
            invoicing_type TEXT CHECK (invoicing_type IN ('forward', 'backward')),
            override_role TEXT NOT NULL CHECK (override_role IN ('primary', 'secondary', 'none')),
            status TEXT NOT NULL DEFAULT 'pending'
        );
        CREATE INDEX services_client ON services(client_id);
        -- start_hex/end_hex: the prefix as [start, end) in fixed-width hex, so overlaps are range
        -- queries; end_hex 'g' stands for the top of the address space.
        CREATE TABLE service_addresses (
            service_id INTEGER NOT NULL REFERENCES services(id),
            address TEXT NOT NULL,
            family INTEGER NOT NULL,
            start_hex TEXT NOT NULL,
            end_hex TEXT NOT NULL,
            PRIMARY KEY (service_id, address)
        );
        CREATE INDEX service_addresses_address ON service_addresses(address);
        CREATE INDEX service_addresses_start ON service_addresses(family, start_hex);
        CREATE TABLE terms (
            id INTEGER PRIMARY KEY,
            service_id INTEGER NOT NULL REFERENCES services(id),
            start_on TEXT NOT NULL,
            end_on TEXT,
            anchor_on TEXT NOT NULL,
            period_months INTEGER NOT NULL CHECK (period_months BETWEEN 1 AND 24),
            prepaid INTEGER NOT NULL DEFAULT 0,
            CHECK (end_on IS NULL OR end_on >= start_on)
        );
        CREATE INDEX terms_service ON terms(service_id);
        CREATE TABLE suspensions (
            id INTEGER PRIMARY KEY,
            service_id INTEGER NOT NULL REFERENCES services(id),
            from_on TEXT NOT NULL,
            to_on TEXT,
            reason TEXT NOT NULL CHECK (reason IN ('nonPayment', 'admin')),
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX suspensions_service ON suspensions(service_id);
        CREATE TABLE document_sequences (
            kind TEXT PRIMARY KEY,
            last INTEGER NOT NULL
        );
        INSERT INTO document_sequences VALUES ('invoice', 0), ('creditNote', 0);
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('invoice', 'creditNote')),
            seq INTEGER NOT NULL,
            number TEXT NOT NULL UNIQUE,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            issued_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            total INTEGER NOT NULL CHECK (total >= 0),
            corrects INTEGER REFERENCES documents(id),
            UNIQUE (kind, seq)
        );
        CREATE INDEX documents_client ON documents(client_id);
        CREATE TABLE document_lines (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            service_id INTEGER NOT NULL REFERENCES services(id),
            term_id INTEGER NOT NULL REFERENCES terms(id),
            cycle INTEGER NOT NULL,
            cycle_start TEXT NOT NULL,
            cycle_end TEXT NOT NULL,
            cycle_price INTEGER NOT NULL,
            from_on TEXT NOT NULL,
            to_on TEXT NOT NULL,
            amount INTEGER NOT NULL,
            description TEXT NOT NULL
        );
        CREATE INDEX document_lines_document ON document_lines(document_id);
        CREATE INDEX document_lines_service ON document_lines(service_id);
        CREATE TRIGGER documents_immutable_update BEFORE UPDATE ON documents
            BEGIN SELECT RAISE(ABORT, 'issued documents are never edited'); END;
        CREATE TRIGGER documents_immutable_delete BEFORE DELETE ON documents
            BEGIN SELECT RAISE(ABORT, 'issued documents are never deleted'); END;
        CREATE TRIGGER document_lines_immutable_update BEFORE UPDATE ON document_lines
            BEGIN SELECT RAISE(ABORT, 'issued documents are never edited'); END;
        CREATE TRIGGER document_lines_immutable_delete BEFORE DELETE ON document_lines
            BEGIN SELECT RAISE(ABORT, 'issued documents are never deleted'); END;
        -- What changes as an invoice is settled.
        CREATE TABLE invoice_state (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            client_id INTEGER NOT NULL,
            paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),
            postponed INTEGER NOT NULL DEFAULT 0,
            open INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX invoice_state_open ON invoice_state(client_id) WHERE open = 1;
        CREATE INDEX invoice_state_client ON invoice_state(client_id);
        CREATE TABLE payments (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            amount INTEGER NOT NULL CHECK (amount > 0),
            received_on TEXT NOT NULL,
            method TEXT NOT NULL,
            reference TEXT NOT NULL DEFAULT '',
            -- A gateway's reference is recorded once, whatever the number of callbacks.
            gateway_reference TEXT UNIQUE,
            credit_added INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX payments_client ON payments(client_id);
        CREATE TABLE allocations (
            id INTEGER PRIMARY KEY,
            invoice_id INTEGER NOT NULL REFERENCES documents(id),
            amount INTEGER NOT NULL CHECK (amount > 0),
            payment_id INTEGER REFERENCES payments(id),
            credit_note_id INTEGER REFERENCES documents(id),
            applied_on TEXT NOT NULL
        );
        CREATE INDEX allocations_invoice ON allocations(invoice_id);
        CREATE INDEX allocations_payment ON allocations(payment_id);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            on_date TEXT NOT NULL,
            client_id INTEGER,
            service_id INTEGER,
            event TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_service ON audit_log(service_id);
        CREATE TABLE billing_runs (
            run_date TEXT PRIMARY KEY,
            clients_stepped INTEGER NOT NULL,
            documents_issued INTEGER NOT NULL
        );
        """
}
