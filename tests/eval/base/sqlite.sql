-- Base application schema for the natural-language migration evaluation (SQLite).
-- Same logical content as postgres.sql and mysql.sql; every case starts from a fresh copy.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(100) NOT NULL,
    username VARCHAR(50) NOT NULL,
    street VARCHAR(200),
    city VARCHAR(100),
    state VARCHAR(50),
    zip VARCHAR(20),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_users_username UNIQUE (username)
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username VARCHAR(50) NOT NULL,
    email VARCHAR(255) NOT NULL,
    balance NUMERIC(12, 2) NOT NULL DEFAULT 0,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_accounts_username ON accounts (username);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(200) NOT NULL,
    sku VARCHAR(50) NOT NULL,
    description TEXT,
    price NUMERIC(10, 2) NOT NULL,
    stock INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    deprecated_field VARCHAR(100),
    CONSTRAINT uq_products_sku UNIQUE (sku)
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(255) NOT NULL,
    phone VARCHAR(30),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL,
    order_date DATE NOT NULL,
    total NUMERIC(10, 2) NOT NULL DEFAULT 0,
    notes TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE INDEX idx_orders_customer_id ON orders (customer_id);

CREATE TABLE order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 1,
    unit_price NUMERIC(10, 2) NOT NULL,
    CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE INDEX idx_order_items_order_id ON order_items (order_id);
CREATE INDEX idx_order_items_product_id ON order_items (product_id);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT,
    published BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX idx_posts_user_id ON posts (user_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_comments_post FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE,
    CONSTRAINT fk_comments_user FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX idx_comments_post_id ON comments (post_id);
CREATE INDEX idx_comments_user_id ON comments (user_id);

CREATE TABLE user_details (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    bio TEXT,
    website VARCHAR(255),
    birth_date DATE,
    CONSTRAINT uq_user_details_user_id UNIQUE (user_id),
    CONSTRAINT fk_user_details_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE unused_table (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    note VARCHAR(100)
);

-- Seed rows: a few per table; users 4 and 5 have no address, user 5 has no details.
INSERT INTO users (id, name, username, street, city, state, zip, created_at) VALUES
    (1, 'Alice Martin', 'alice', '12 Oak St', 'Portland', 'OR', '97201', '2024-01-05 10:00:00'),
    (2, 'Bob Stone', 'bob', '400 Pine Ave', 'Seattle', 'WA', '98101', '2024-01-06 11:30:00'),
    (3, 'Carol White', 'carol', '9 Elm Rd', 'Austin', 'TX', '73301', '2024-02-10 09:15:00'),
    (4, 'Dan Brown', 'dan', NULL, NULL, NULL, NULL, '2024-03-01 08:00:00'),
    (5, 'Eve Black', 'eve', NULL, NULL, NULL, NULL, '2024-03-02 12:45:00');

INSERT INTO accounts (id, username, email, balance, status, created_at) VALUES
    (1, 'alice', 'alice@example.com', 120.50, 'active', '2024-01-05 10:00:00'),
    (2, 'bob', 'bob@example.com', 0, 'active', '2024-01-06 11:30:00'),
    (3, 'carol', 'carol@example.com', 42.00, 'suspended', '2024-02-10 09:15:00');

INSERT INTO products (id, name, sku, description, price, stock, is_active, deprecated_field) VALUES
    (1, 'Coffee Mug', 'MUG-001', 'A 350 ml ceramic mug', 12.99, 40, 1, 'legacy-a'),
    (2, 'Notebook', 'NB-002', NULL, 4.50, 200, 1, NULL),
    (3, 'Desk Lamp', 'LAMP-003', 'LED lamp with dimmer', 39.00, 15, 1, 'legacy-b'),
    (4, 'Old Stapler', 'STP-004', NULL, 7.25, 0, 0, NULL);

INSERT INTO customers (id, name, email, phone, created_at) VALUES
    (1, 'Acme Corp', 'orders@acme.test', '+15035550100', '2024-01-10 10:00:00'),
    (2, 'Globex', 'buy@globex.test', NULL, '2024-01-11 10:00:00'),
    (3, 'Initech', 'it@initech.test', '+15125550199', '2024-02-01 10:00:00');

INSERT INTO orders (id, customer_id, order_date, total, notes, created_at) VALUES
    (1, 1, '2024-02-01', 25.98, 'leave at the door', '2024-02-01 09:00:00'),
    (2, 1, '2024-02-15', 39.00, NULL, '2024-02-15 09:00:00'),
    (3, 2, '2024-03-01', 9.00, NULL, '2024-03-01 09:00:00'),
    (4, 3, '2024-03-05', 51.99, 'gift wrap', '2024-03-05 09:00:00');

INSERT INTO order_items (id, order_id, product_id, quantity, unit_price) VALUES
    (1, 1, 1, 2, 12.99),
    (2, 2, 3, 1, 39.00),
    (3, 3, 2, 2, 4.50),
    (4, 4, 1, 1, 12.99),
    (5, 4, 3, 1, 39.00);

INSERT INTO posts (id, user_id, title, body, published, created_at) VALUES
    (1, 1, 'Hello world', 'First post', 1, '2024-01-07 10:00:00'),
    (2, 1, 'Second thoughts', NULL, 0, '2024-01-08 10:00:00'),
    (3, 2, 'Bob writes', 'Some text', 1, '2024-01-09 10:00:00');

INSERT INTO comments (id, post_id, user_id, body, created_at) VALUES
    (1, 1, 2, 'Nice!', '2024-01-07 11:00:00'),
    (2, 1, 3, 'Welcome', '2024-01-07 12:00:00'),
    (3, 3, 1, 'Good one', '2024-01-09 11:00:00');

INSERT INTO user_details (id, user_id, bio, website, birth_date) VALUES
    (1, 1, 'Loves Rust', 'https://alice.example', '1990-04-01'),
    (2, 2, 'Coffee first', NULL, '1985-11-23'),
    (3, 3, NULL, 'https://carol.example', NULL),
    (4, 4, 'New here', NULL, '2000-01-01');

INSERT INTO unused_table (id, note) VALUES
    (1, 'nothing reads this'),
    (2, 'still nothing');
