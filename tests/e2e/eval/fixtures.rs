//! What the generator knows about each fixture schema (tests/eval/base and tests/eval/fixtures/<name>): the
//! tables and columns that exist, and for each intent the objects it can be asked about, with the facts of
//! the seed data its checks rely on. `generated_fixtures_hold_their_facts` checks these facts against the
//! loaded fixtures on every engine, so a wrong fact fails there rather than as a planner failure.

/// One fixture schema, as the generator sees it.
pub struct Fx {
    pub name: &'static str,
    /// Every table with its columns and row count.
    pub tables: &'static [(&'static str, u32, &'static [&'static str])],
    /// Tables a new column can be added to.
    pub add_to: &'static [&'static str],
    /// Columns whose seed values are distinct and that carry no unique constraint yet.
    pub unique_ok: &'static [(&'static str, &'static str)],
    /// Nullable text columns with this many NULLs (and no value "unknown" or "n/a").
    pub null_text: &'static [(&'static str, &'static str, u32)],
    /// Nullable numeric columns with NULLs.
    pub null_num: &'static [(&'static str, &'static str)],
    /// Numeric columns whose seed values are all >= 0 (or NULL), without a check constraint.
    pub nonneg: &'static [(&'static str, &'static str)],
    /// Columns without a default, a default value to give them, and whether it is a number.
    pub defaults: &'static [(&'static str, &'static str, &'static str, bool)],
    /// NOT NULL columns outside any key that can be made nullable.
    pub not_null: &'static [(&'static str, &'static str)],
    /// Columns without an index of their own.
    pub index1: &'static [(&'static str, &'static str)],
    /// Column pairs without an index on exactly (a, b).
    pub index2: &'static [(&'static str, &'static str, &'static str)],
    /// Integer columns without a foreign key whose values all exist in the target table's id.
    pub fk: &'static [(&'static str, &'static str, &'static str)],
    /// Integer columns a refused foreign key can be asked for.
    pub fk_any: &'static [(&'static str, &'static str)],
    /// Tables to rename, and the new name.
    pub rename_t: &'static [(&'static str, &'static str)],
    /// Columns to rename, and the new name.
    pub rename_c: &'static [(&'static str, &'static str, &'static str)],
    /// Text columns holding digits: (table, column, id of a row, its value as a number).
    pub to_int: &'static [(&'static str, &'static str, u32, &'static str)],
    /// Numeric columns to widen to numeric(12,2): (table, column, id of a row, its value).
    pub widen: &'static [(&'static str, &'static str, u32, &'static str)],
    /// Columns nothing depends on, to drop.
    pub drop_c: &'static [(&'static str, &'static str)],
    /// Tables nothing references, to drop.
    pub drop_t: &'static [&'static str],
    /// New tables: (name, foreign key column, table it references).
    pub new_tables: &'static [(&'static str, &'static str, &'static str)],
    /// Many-to-many pairs: (a, a's key column, b, b's key column, join table name).
    pub join: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
    /// Table names that do not exist and are no typo of any existing name.
    pub missing_t: &'static [&'static str],
    /// Column names that exist in no table of the fixture.
    pub missing_c: &'static [&'static str],
}

impl Fx {
    pub fn rows(&self, table: &str) -> u32 {
        self.tables
            .iter()
            .find(|t| t.0 == table)
            .map(|t| t.1)
            .unwrap_or_else(|| panic!("fixture {}: no table {table}", self.name))
    }

    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.tables
            .iter()
            .any(|t| t.0 == table && t.2.contains(&column))
    }

    /// Every table and column name of the fixture.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for (t, _, cols) in self.tables {
            out.push(t);
            out.extend(cols.iter().copied());
        }
        out.sort();
        out.dedup();
        out
    }
}

pub const BASE: Fx = Fx {
    name: "base",
    tables: &[
        (
            "users",
            5,
            &[
                "id",
                "name",
                "username",
                "street",
                "city",
                "state",
                "zip",
                "created_at",
            ],
        ),
        (
            "accounts",
            3,
            &["id", "username", "email", "balance", "status", "created_at"],
        ),
        (
            "products",
            4,
            &[
                "id",
                "name",
                "sku",
                "description",
                "price",
                "stock",
                "is_active",
                "deprecated_field",
            ],
        ),
        (
            "customers",
            3,
            &["id", "name", "email", "phone", "created_at"],
        ),
        (
            "orders",
            4,
            &[
                "id",
                "customer_id",
                "order_date",
                "total",
                "notes",
                "created_at",
            ],
        ),
        (
            "order_items",
            5,
            &["id", "order_id", "product_id", "quantity", "unit_price"],
        ),
        (
            "posts",
            3,
            &["id", "user_id", "title", "body", "published", "created_at"],
        ),
        (
            "comments",
            3,
            &["id", "post_id", "user_id", "body", "created_at"],
        ),
        (
            "user_details",
            4,
            &["id", "user_id", "bio", "website", "birth_date"],
        ),
        ("unused_table", 2, &["id", "note"]),
    ],
    add_to: &["users", "products", "customers", "orders", "posts"],
    unique_ok: &[
        ("accounts", "email"),
        ("customers", "email"),
        ("products", "name"),
    ],
    null_text: &[("users", "city", 2), ("customers", "phone", 1)],
    null_num: &[],
    nonneg: &[
        ("products", "price"),
        ("products", "stock"),
        ("accounts", "balance"),
        ("order_items", "quantity"),
    ],
    defaults: &[
        ("users", "state", "OR", false),
        ("order_items", "unit_price", "0", true),
        ("customers", "phone", "none", false),
    ],
    not_null: &[("customers", "email"), ("orders", "order_date")],
    index1: &[
        ("users", "city"),
        ("customers", "email"),
        ("orders", "order_date"),
        ("products", "name"),
    ],
    index2: &[
        ("orders", "customer_id", "order_date"),
        ("posts", "user_id", "created_at"),
        ("comments", "post_id", "created_at"),
    ],
    fk: &[],
    fk_any: &[("posts", "user_id"), ("orders", "customer_id")],
    rename_t: &[
        ("unused_table", "legacy_notes"),
        ("user_details", "user_profiles"),
        ("comments", "post_comments"),
    ],
    rename_c: &[
        ("users", "zip", "postal_code"),
        ("products", "deprecated_field", "legacy_code"),
        ("customers", "phone", "phone_number"),
        ("orders", "notes", "delivery_notes"),
    ],
    to_int: &[("users", "zip", 1, "97201")],
    widen: &[
        ("products", "price", 1, "12.99"),
        ("orders", "total", 4, "51.99"),
        ("order_items", "unit_price", 3, "4.5"),
    ],
    drop_c: &[
        ("products", "deprecated_field"),
        ("users", "state"),
        ("user_details", "website"),
    ],
    drop_t: &["unused_table"],
    new_tables: &[
        ("shipments", "order_id", "orders"),
        ("reviews", "product_id", "products"),
        ("login_events", "user_id", "users"),
    ],
    join: &[
        (
            "customers",
            "customer_id",
            "products",
            "product_id",
            "customer_favorites",
        ),
        ("posts", "post_id", "users", "user_id", "post_likes"),
    ],
    missing_t: &["warehouses", "invoices", "suppliers"],
    missing_c: &["loyalty_points", "fax_number", "shoe_size"],
};

pub const LIBRARY: Fx = Fx {
    name: "library",
    tables: &[
        (
            "authors",
            4,
            &["id", "name", "country", "birth_year_text", "created_at"],
        ),
        ("branches", 3, &["id", "name", "city", "opened_year"]),
        (
            "books",
            5,
            &[
                "id",
                "title",
                "isbn",
                "author_id",
                "branch_id",
                "published_year",
                "price",
                "shelf_code",
            ],
        ),
        (
            "members",
            4,
            &[
                "id",
                "full_name",
                "email",
                "phone",
                "joined_on",
                "membership_level",
            ],
        ),
        (
            "loans",
            5,
            &[
                "id",
                "book_id",
                "member_id",
                "loaned_on",
                "due_on",
                "returned_on",
                "fine_amount",
            ],
        ),
        (
            "reservations",
            2,
            &["id", "book_id", "member_id", "reserved_at", "status"],
        ),
        ("import_log", 2, &["id", "source", "imported_at"]),
    ],
    add_to: &["books", "members", "loans", "authors", "branches"],
    unique_ok: &[
        ("books", "isbn"),
        ("members", "email"),
        ("branches", "name"),
    ],
    null_text: &[
        ("members", "phone", 2),
        ("books", "shelf_code", 2),
        ("authors", "country", 1),
        ("branches", "city", 1),
    ],
    null_num: &[("loans", "fine_amount"), ("books", "published_year")],
    nonneg: &[
        ("books", "price"),
        ("loans", "fine_amount"),
        ("books", "published_year"),
    ],
    defaults: &[
        ("authors", "country", "unknown", false),
        ("books", "shelf_code", "UNSORTED", false),
        ("loans", "fine_amount", "0", true),
    ],
    not_null: &[("members", "joined_on"), ("loans", "due_on")],
    index1: &[
        ("loans", "due_on"),
        ("members", "joined_on"),
        ("books", "isbn"),
        ("loans", "member_id"),
    ],
    index2: &[
        ("loans", "member_id", "loaned_on"),
        ("books", "branch_id", "published_year"),
        ("reservations", "member_id", "reserved_at"),
    ],
    fk: &[
        ("loans", "member_id", "members"),
        ("books", "branch_id", "branches"),
    ],
    fk_any: &[("loans", "member_id"), ("books", "branch_id")],
    rename_t: &[
        ("import_log", "catalogue_imports"),
        ("reservations", "holds"),
        ("branches", "library_branches"),
    ],
    rename_c: &[
        ("books", "shelf_code", "shelf_location"),
        ("members", "full_name", "display_name"),
        ("loans", "due_on", "due_date"),
        ("authors", "country", "nationality"),
    ],
    to_int: &[
        ("authors", "birth_year_text", 1, "1929"),
        ("branches", "opened_year", 2, "1987"),
    ],
    widen: &[
        ("books", "price", 2, "12.5"),
        ("loans", "fine_amount", 2, "1.5"),
    ],
    drop_c: &[
        ("books", "shelf_code"),
        ("authors", "birth_year_text"),
        ("members", "phone"),
    ],
    drop_t: &["import_log"],
    new_tables: &[
        ("fines", "loan_id", "loans"),
        ("reviews", "book_id", "books"),
        ("events", "branch_id", "branches"),
    ],
    join: &[
        ("books", "book_id", "authors", "author_id", "book_authors"),
        (
            "members",
            "member_id",
            "branches",
            "branch_id",
            "member_branches",
        ),
    ],
    missing_t: &["patrons", "publishers", "warehouses"],
    missing_c: &["loyalty_points", "fax_number", "shoe_size"],
};

pub const HR: Fx = Fx {
    name: "hr",
    tables: &[
        (
            "departments",
            3,
            &["id", "name", "code", "budget", "location"],
        ),
        ("job_titles", 4, &["id", "title", "grade_text"]),
        (
            "employees",
            5,
            &[
                "id",
                "first_name",
                "last_name",
                "email",
                "department_id",
                "manager_id",
                "hire_date",
                "salary",
                "phone",
                "employee_number",
            ],
        ),
        (
            "payroll_runs",
            2,
            &["id", "period_start", "period_end", "run_at", "status"],
        ),
        (
            "payslips",
            4,
            &[
                "id",
                "payroll_run_id",
                "employee_id",
                "gross_pay",
                "net_pay",
                "tax_withheld",
            ],
        ),
        (
            "time_off_requests",
            3,
            &[
                "id",
                "employee_id",
                "starts_on",
                "ends_on",
                "reason",
                "approved",
            ],
        ),
        ("benefits_legacy", 2, &["id", "description"]),
    ],
    add_to: &[
        "employees",
        "departments",
        "payslips",
        "job_titles",
        "payroll_runs",
    ],
    unique_ok: &[
        ("employees", "email"),
        ("employees", "employee_number"),
        ("departments", "code"),
    ],
    null_text: &[("employees", "phone", 2), ("departments", "location", 1)],
    null_num: &[("departments", "budget"), ("payslips", "tax_withheld")],
    nonneg: &[
        ("employees", "salary"),
        ("payslips", "gross_pay"),
        ("payslips", "net_pay"),
        ("departments", "budget"),
    ],
    defaults: &[
        ("departments", "location", "remote", false),
        ("payslips", "tax_withheld", "0", true),
        ("employees", "phone", "none", false),
    ],
    not_null: &[("employees", "hire_date"), ("payslips", "net_pay")],
    index1: &[
        ("employees", "hire_date"),
        ("employees", "last_name"),
        ("payslips", "employee_id"),
        ("time_off_requests", "starts_on"),
    ],
    index2: &[
        ("employees", "last_name", "first_name"),
        ("payslips", "employee_id", "payroll_run_id"),
        ("time_off_requests", "employee_id", "starts_on"),
    ],
    fk: &[
        ("employees", "manager_id", "employees"),
        ("payslips", "employee_id", "employees"),
    ],
    fk_any: &[("employees", "manager_id"), ("payslips", "employee_id")],
    rename_t: &[
        ("benefits_legacy", "old_benefits"),
        ("job_titles", "positions"),
        ("time_off_requests", "leave_requests"),
    ],
    rename_c: &[
        ("employees", "phone", "phone_number"),
        ("departments", "location", "office_city"),
        ("payslips", "tax_withheld", "tax_amount"),
        ("employees", "hire_date", "start_date"),
    ],
    to_int: &[
        ("employees", "employee_number", 1, "1001"),
        ("job_titles", "grade_text", 2, "4"),
    ],
    widen: &[
        ("employees", "salary", 2, "8200"),
        ("payslips", "net_pay", 3, "5400"),
    ],
    drop_c: &[
        ("employees", "phone"),
        ("departments", "location"),
        ("job_titles", "grade_text"),
    ],
    drop_t: &["benefits_legacy"],
    new_tables: &[
        ("bonuses", "employee_id", "employees"),
        ("expense_claims", "employee_id", "employees"),
        ("cost_centers", "department_id", "departments"),
    ],
    join: &[
        (
            "employees",
            "employee_id",
            "job_titles",
            "job_title_id",
            "employee_job_titles",
        ),
        (
            "departments",
            "department_id",
            "job_titles",
            "job_title_id",
            "department_job_titles",
        ),
    ],
    missing_t: &["contractors", "invoices", "warehouses"],
    missing_c: &["loyalty_points", "fax_number", "shoe_size"],
};

pub const TRACKER: Fx = Fx {
    name: "tracker",
    tables: &[
        ("teams", 2, &["id", "name", "slack_channel"]),
        (
            "people",
            4,
            &[
                "id",
                "display_name",
                "handle",
                "team_id",
                "timezone",
                "joined_at",
            ],
        ),
        (
            "projects",
            3,
            &[
                "id",
                "name",
                "key_code",
                "owner_id",
                "starts_on",
                "budget_hours",
                "archived",
            ],
        ),
        ("milestones", 3, &["id", "project_id", "title", "due_on"]),
        (
            "tasks",
            5,
            &[
                "id",
                "project_id",
                "title",
                "description",
                "assignee_id",
                "status",
                "priority_text",
                "estimate_hours",
                "due_date",
                "created_at",
            ],
        ),
        ("labels", 3, &["id", "name", "color"]),
        (
            "time_entries",
            4,
            &["id", "task_id", "person_id", "minutes", "logged_on", "note"],
        ),
        ("old_sync_state", 2, &["id", "payload"]),
    ],
    add_to: &["tasks", "projects", "people", "milestones", "teams"],
    unique_ok: &[
        ("people", "handle"),
        ("projects", "key_code"),
        ("labels", "name"),
    ],
    null_text: &[
        ("people", "timezone", 2),
        ("teams", "slack_channel", 1),
        ("labels", "color", 1),
    ],
    null_num: &[("tasks", "estimate_hours"), ("projects", "budget_hours")],
    nonneg: &[
        ("tasks", "estimate_hours"),
        ("time_entries", "minutes"),
        ("projects", "budget_hours"),
    ],
    defaults: &[
        ("people", "timezone", "UTC", false),
        ("labels", "color", "grey", false),
        ("tasks", "estimate_hours", "0", true),
    ],
    not_null: &[("time_entries", "logged_on"), ("milestones", "title")],
    index1: &[
        ("tasks", "due_date"),
        ("tasks", "assignee_id"),
        ("time_entries", "logged_on"),
        ("milestones", "project_id"),
    ],
    index2: &[
        ("tasks", "project_id", "status"),
        ("time_entries", "person_id", "logged_on"),
        ("tasks", "assignee_id", "due_date"),
    ],
    fk: &[
        ("tasks", "assignee_id", "people"),
        ("milestones", "project_id", "projects"),
    ],
    fk_any: &[("tasks", "assignee_id"), ("milestones", "project_id")],
    rename_t: &[
        ("old_sync_state", "sync_state_archive"),
        ("labels", "tags"),
        ("time_entries", "worklogs"),
    ],
    rename_c: &[
        ("tasks", "due_date", "deadline"),
        ("people", "handle", "username"),
        ("projects", "key_code", "project_key"),
        ("teams", "slack_channel", "chat_channel"),
    ],
    to_int: &[("tasks", "priority_text", 1, "1")],
    widen: &[
        ("tasks", "estimate_hours", 3, "8.5"),
        ("projects", "budget_hours", 3, "120.5"),
    ],
    drop_c: &[
        ("tasks", "priority_text"),
        ("teams", "slack_channel"),
        ("people", "timezone"),
    ],
    drop_t: &["old_sync_state"],
    new_tables: &[
        ("task_comments", "task_id", "tasks"),
        ("attachments", "task_id", "tasks"),
        ("releases", "project_id", "projects"),
    ],
    join: &[
        ("tasks", "task_id", "labels", "label_id", "task_labels"),
        (
            "projects",
            "project_id",
            "people",
            "person_id",
            "project_members",
        ),
    ],
    missing_t: &["sprints", "clients", "warehouses"],
    missing_c: &["loyalty_points", "fax_number", "shoe_size"],
};

/// The four fixtures, base first.
pub const FIXTURES: [&Fx; 4] = [&BASE, &LIBRARY, &HR, &TRACKER];
