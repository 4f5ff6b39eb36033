-- The initial schema. Every table is created here, so nothing in this file can block live traffic.
CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id          bigint      NOT NULL REFERENCES customers (id),
    billing_customer_id  bigint,
    status               text        NOT NULL DEFAULT 'pending',
    total_cents          bigint      NOT NULL CHECK (total_cents >= 0),
    shipping_country     text,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id);

CREATE TABLE order_items (
    order_id     bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line         int     NOT NULL,
    sku          text    NOT NULL,
    quantity     int     NOT NULL CHECK (quantity > 0),
    price_cents  bigint  NOT NULL,
    PRIMARY KEY (order_id, line)
);
