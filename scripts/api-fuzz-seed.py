#!/usr/bin/env python3
"""Seeds a fresh sync-server for scripts/api-fuzz.sh through its REST API, as a platform
admin, a company admin and a shop manager would, and prints one `NAME=value` line per
token and id for the shell to read.

Every list the fuzzer reads then has at least one real object in it, so schemathesis checks
the documented response schemas against real answers, not only against empty arrays: a
company with a shop, a shop manager, a product with a variant, a shop price, a promotion,
a customer, stock, an enrolled terminal and one sale pushed by it.

    scripts/api-fuzz-seed.py http://127.0.0.1:PORT admin-email admin-password
"""

import hashlib
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

PASSWORD = "fuzz-password-1"
# pos_shared::sync::PROTOCOL_VERSION: the sync routes refuse any other.
PROTOCOL = "5"
GENESIS = "0" * 64


def call(base, method, path, token=None, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def must(expected, result, what):
    status, body = result
    if status != expected:
        sys.exit(f"api-fuzz seed: {what} answered {status}, expected {expected}: {body}")
    return body


def login(base, email, password):
    body = must(200, call(base, "POST", "/api/auth/login", body={"email": email, "password": password}), f"login {email}")
    return body["access_token"]


def record_hash(r):
    """pos_shared::journal::JournalRecord::expected_hash."""
    h = hashlib.sha256(r["prev_hash"].encode())
    for field in (r["id"], r["terminal_id"], str(r["epoch"]), str(r["seq"]), str(r["hlc_ms"]),
                  str(r["catalog_cursor"]), r["kind"], r["payload"]):
        h.update(f"{len(field.encode())}:".encode() + field.encode() + b";")
    return h.hexdigest()


def sale_record(terminal, product):
    sale_id = str(uuid.uuid4())
    gross, tax = 250, 250 * 19 // 119
    sale = {
        "id": sale_id, "receipt_no": 1, "shift_id": "s1", "staff_id": "c1", "approved_by": None,
        "customer_id": None, "currency": "EUR", "created_at_ms": int(time.time() * 1000),
        "lines": [{"id": f"{sale_id}-1", "line_no": 1, "product_id": product, "sku": "FUZZ-1",
                   "name": "Fuzz coffee", "qty_milli": 1000, "unit_price_minor": gross,
                   "discount_minor": 0, "tax_rate_bp": 1900, "tax_inclusive": True,
                   "net_minor": gross - tax, "tax_minor": tax, "gross_minor": gross}],
        "tenders": [{"kind": "cash", "amount_minor": gross, "reference": None}],
        "subtotal_minor": gross, "discount_minor": 0, "tax_minor": tax, "total_minor": gross,
        "paid_minor": gross, "change_minor": 0,
    }
    r = {"seq": 1, "id": str(uuid.uuid4()), "terminal_id": terminal, "epoch": 1,
         "hlc_ms": int(time.time() * 1000), "catalog_cursor": 0, "kind": "sale_completed",
         "payload": json.dumps(sale, separators=(",", ":")), "prev_hash": GENESIS}
    r["hash"] = record_hash(r)
    return r


def main():
    base, admin_email, admin_password = sys.argv[1:4]
    platform = login(base, admin_email, admin_password)
    company = must(201, call(base, "POST", "/api/companies", platform, {
        "name": "Fuzz Market", "plan": "business", "currency": "EUR",
        "admin": {"name": "Fuzz Admin", "email": "admin@fuzz.test", "password": PASSWORD}}), "company")
    admin = login(base, "admin@fuzz.test", PASSWORD)
    shop = must(201, call(base, "POST", "/api/shops", admin, {"name": "Fuzz Central", "address": "1 Fuzz Street"}), "shop")["id"]
    must(201, call(base, "POST", f"/api/shops/{shop}/staff", admin, {
        "name": "Fuzz Manager", "role": "shop_manager", "email": "manager@fuzz.test",
        "password": PASSWORD, "pin": "4321"}), "manager")
    manager = login(base, "manager@fuzz.test", PASSWORD)
    must(201, call(base, "POST", f"/api/shops/{shop}/staff", manager, {"name": "Fuzz Cashier", "role": "cashier", "pin": "1357"}), "cashier")
    must(201, call(base, "POST", f"/api/shops/{shop}/locations", manager, {"name": "Back room", "kind": "warehouse"}), "location")

    product = must(201, call(base, "POST", "/api/catalog/products", manager, {
        "sku": "FUZZ-1", "name": "Fuzz coffee", "barcodes": ["4006381333931"], "price_minor": 250,
        "tax_rate_bp": 1900, "category": "Drinks"}), "product")["id"]
    must(201, call(base, "POST", f"/api/catalog/products/{product}/variants", manager, {"variant_name": "large", "sku": "FUZZ-1-L"}), "variant")
    must(200, call(base, "PUT", f"/api/shops/{shop}/prices/{product}", manager, {"price_minor": 240}), "shop price")
    must(201, call(base, "POST", "/api/catalog/promotions", admin, {
        "name": "Two for one", "terms": {"type": "multi_buy", "product_id": product, "buy": 2, "pay": 1}}), "promotion")
    must(200, call(base, "POST", "/api/inventory/adjustments", manager, {
        "shop_id": shop, "product_id": product, "delta_milli": 5000, "reason": "opening",
        "idempotency_key": "fuzz-open"}), "stock")
    must(200, call(base, "PUT", "/api/inventory/reorder-levels", manager, {"shop_id": shop, "product_id": product, "level_milli": 10000}), "reorder level")
    customer = must(201, call(base, "POST", "/api/customers", manager, {"name": "Fuzz Customer", "email": "c@fuzz.test", "credit_limit_minor": 10000}), "customer")["customer_id"]

    code = must(201, call(base, "POST", f"/api/shops/{shop}/enrollment-codes", manager, {}), "enrollment code")["code"]
    enrolled = must(201, call(base, "POST", "/api/terminals/enroll", body={"code": code, "name": "Fuzz till"}), "enroll")
    terminal = enrolled["terminal_id"]
    device = must(200, call(base, "POST", "/api/auth/device-token", body={"terminal_id": terminal, "secret": enrolled["secret"]}), "device token")["access_token"]
    push = {"terminal_id": terminal, "epoch": 1, "records": [sale_record(terminal, product)]}
    must(200, call(base, "POST", "/api/sync/push", device, push, {"x-kassa-protocol": PROTOCOL}), "push a sale")

    print(f"PLATFORM_TOKEN={platform}")
    print(f"ADMIN_TOKEN={admin}")
    print(f"MANAGER_TOKEN={manager}")
    print(f"DEVICE_TOKEN={device}")
    print(f"COMPANY_ID={company['id']}")
    print(f"SHOP_ID={shop}")
    print(f"PRODUCT_ID={product}")
    print(f"CUSTOMER_ID={customer}")


if __name__ == "__main__":
    main()
