-- A small shop schema to try ai-shell on:
--   sqlite3 demo.db < examples/shop-sqlite.sql
--   ai-shell --database sqlite://demo.db schema show
--   ai-shell --database sqlite://demo.db schema show orders
--   ai-shell --database sqlite://demo.db schema export
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email VARCHAR(255) NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    CONSTRAINT uq_products_sku UNIQUE (sku)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending',
    placed_at TIMESTAMP
);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX idx_orders_customer ON orders (customer_id);
CREATE INDEX idx_orders_open ON orders (placed_at) WHERE status <> 'shipped';
CREATE VIEW open_orders AS SELECT id, customer_id, placed_at FROM orders WHERE status <> 'shipped';
