"""Portico in a real browser: headless Chromium driven by Selenium against `portico serve`
processes this test starts on loopback.

1. The admin UI (server A): sign in, create a regular plan (52.70) and a vacation plan (15.00),
   a client with a service from January 1 of next year, run billing through January 29, open
   the vacation-hold review for January 30 and check SPEC §14 D's amounts (credit note 3.40,
   invoice 0.97), submit, and find the documents and their emails. (In January, March of this
   year instead: see `example_month`.)
2. The portal (server B): the browser is the suspended client. Linux sends loopback traffic
   from 127.0.0.1, so the client's service has the address 127.0.0.1 and the portal recognises
   the browser by it (no proxy header needed). It picks 3 months, pays at the test gateway and
   reads "You are back online".

Dates: server A uses dates after today, so its own daily run (which runs through today) never
bills them and the test drives them through the billing run's date. Server B uses dates
around today, as a real installation would.

Screenshots of the portal page and the admin dashboard at phone and laptop widths go to
$SCREENSHOT_DIR (default docs/screenshots; `make test` writes them under .build).

Nothing here is skipped: a missing browser, driver or binary fails the test.
"""

import datetime
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
PORTICO = pathlib.Path(os.environ.get("PORTICO_BIN", ROOT / ".build" / "debug" / "portico"))
SHOTS = pathlib.Path(os.environ.get("SCREENSHOT_DIR", ROOT / "docs" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
PASSWORD = "correct horse battery staple"
PHONE = (390, 844)
LAPTOP = (1366, 900)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`portico serve` on a fresh database, on two free loopback ports."""

    def __init__(self, name):
        if not PORTICO.exists():
            pytest.fail(f"{PORTICO} is missing: build it first (swift build)")
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=f"portico-browser-{name}-"))
        self.db = str(self.dir / "portico.db")
        self.portal_port, self.admin_port = free_port(), free_port()
        self.log = open(self.dir / "server.log", "w")
        self.process = None

    def cli(self, *args, stdin=None):
        result = subprocess.run([str(PORTICO), *args, "--database", self.db], input=stdin, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, f"portico {' '.join(args)}: {result.stderr}"
        return result.stdout.strip()

    def start(self):
        self.process = subprocess.Popen(
            [str(PORTICO), "serve", "--database", self.db, "--portal-listen", f"127.0.0.1:{self.portal_port}",
             "--admin-listen", f"127.0.0.1:{self.admin_port}", "--templates", str(ROOT / "templates")],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            assert self.process.poll() is None, (self.dir / "server.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.admin_port), timeout=0.5):
                    with socket.create_connection(("127.0.0.1", self.portal_port), timeout=0.5):
                        return self
            except OSError:
                time.sleep(0.2)
        pytest.fail("portico did not start listening: " + (self.dir / "server.log").read_text())

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def admin(self):
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def portal(self):
        return f"http://127.0.0.1:{self.portal_port}"

    def api(self, token, method, path, body=None):
        request = urllib.request.Request(
            self.admin + "/api/v1" + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: install chromium and chromium-driver (make test does)")
    options = Options()
    options.binary_location = CHROMIUM
    # Every page is on 127.0.0.1: the browser's own background traffic (component updates,
    # safe browsing, DNS prefetch) is turned off, and any other name resolves to nothing, so
    # the test never sends a packet off loopback.
    quiet = ("--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-domain-reliability", "--disable-client-side-phishing-detection",
             "--no-first-run", "--no-default-browser-check", "--dns-prefetch-disable",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--lang=en-US", f"--window-size={LAPTOP[0]},{LAPTOP[1]}") + quiet:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def set_value(driver, element, value):
    """Date inputs take typed text in the locale's order; setting the value is exact."""
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def wait_for(driver, css, timeout=20):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def flash(driver, expected=None, timeout=20):
    """The flash message of the page after a submit. Re-read until it says `expected`: right
    after a click the old page (and its #flash) may still be there, or be replaced mid-read."""
    def read(d):
        try:
            text = d.find_element(By.CSS_SELECTOR, "#flash").text
        except (NoSuchElementException, StaleElementReferenceException):
            return False
        return text if expected is None or expected in text else False
    try:
        return WebDriverWait(driver, timeout).until(read)
    except TimeoutException:
        return driver.find_element(By.CSS_SELECTOR, "#flash").text if driver.find_elements(By.CSS_SELECTOR, "#flash") else ""


def screenshot(driver, name, size):
    """The whole page at `size`'s width (the window grows to the page's height)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(*size)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size[0], max(size[1], min(height, 2600)))
    assert driver.save_screenshot(str(SHOTS / f"{name}.png")), name
    driver.set_window_size(*LAPTOP)


def example_month(today):
    """The month of server A's example D: January of next year. Effective dates may be at most 366
    days after today, which next January 30 is not for most of January; then March of this year,
    also 31 days long, so the amounts are the same."""
    if (datetime.date(today.year + 1, 1, 30) - today).days <= 366:
        return today.year + 1, 1
    return today.year, 3


def test_example_month_is_after_today_and_within_366_days():
    day = datetime.date(2027, 1, 1)
    while day.year < 2029:
        year, month = example_month(day)
        first, hold = datetime.date(year, month, 1), datetime.date(year, month, 30)
        assert first > day and (hold - day).days <= 366, (day, year, month)
        day += datetime.timedelta(days=1)


def test_admin_vacation_hold_review_matches_spec_example_d(browser):
    year, month = example_month(datetime.date.today())
    ym = f"{year}-{month:02d}"
    server = Server("admin")
    try:
        server.cli("admin", "create", "--username", "admin", stdin=PASSWORD + "\n")
        server.start()
        d = browser

        # Every page needs a session.
        d.get(server.admin + "/clients")
        wait_for(d, "#sign-in")
        assert d.current_url.endswith("/sign-in")
        d.find_element(By.ID, "username").send_keys("admin")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.ID, "sign-in").click()
        wait_for(d, "#figures")

        # Plans: the regular one (secondary) and the vacation one (primary).
        for name, price, role in (("Regular", "52.70", "secondary"), ("Vacation", "15.00", "primary")):
            d.get(server.admin + "/plans")
            d.find_element(By.ID, "plan-name").send_keys(name)
            d.find_element(By.ID, "plan-price").send_keys(price)
            Select(d.find_element(By.ID, "plan-role")).select_by_value(role)
            d.find_element(By.ID, "create-plan").click()
            assert f"Plan {name} created." in flash(d, f"Plan {name} created.")
        plans = d.find_element(By.ID, "plans").text
        assert "52.70 USD" in plans and "15.00 USD" in plans

        # A client with a service on the regular plan from January 1 (or March 1).
        d.get(server.admin + "/clients")
        d.find_element(By.ID, "client-name").send_keys("Hal Holiday")
        d.find_element(By.ID, "client-email").send_keys("hal@example.net")
        d.find_element(By.ID, "create-client").click()
        assert "Client Hal Holiday created." in flash(d, "Client Hal Holiday created.")
        client_url = d.current_url
        Select(d.find_element(By.ID, "service-plan")).select_by_visible_text("Regular (secondary; periods 1)")
        set_value(d, d.find_element(By.ID, "service-from"), f"{ym}-01")
        # A mistyped address is refused with the form as typed: fix the one field, send again.
        d.find_element(By.ID, "service-addresses").send_keys("10.20.0.500")
        d.find_element(By.ID, "create-service").click()
        assert "10.20.0.500" in flash(d, "10.20.0.500")
        assert "error" in d.find_element(By.ID, "flash").get_attribute("class")
        assert d.find_element(By.ID, "service-addresses").get_attribute("value") == "10.20.0.500"
        assert d.find_element(By.ID, "service-from").get_attribute("value") == f"{ym}-01"
        assert Select(d.find_element(By.ID, "service-plan")).first_selected_option.text.startswith("Regular")
        d.find_element(By.ID, "service-addresses").clear()
        d.find_element(By.ID, "service-addresses").send_keys("10.20.0.5")
        d.find_element(By.ID, "create-service").click()
        assert "(Regular) created." in flash(d, "(Regular) created.")
        assert d.current_url == client_url

        # Billing on January 1 issues the January invoice of 52.70; the client pays it on the
        # 5th; billing runs on through January 29.
        d.get(server.admin + "/")
        set_value(d, d.find_element(By.ID, "run-date"), f"{ym}-01")
        d.find_element(By.ID, "run-billing").click()
        assert "Ran 1 date(s)" in flash(d, "Ran 1 date(s)") and "1 document(s)" in flash(d)
        d.get(client_url)
        assert d.find_element(By.ID, "balance").text == "52.70 USD"
        payment = d.find_element(By.ID, "new-payment")
        payment.find_element(By.NAME, "amount").send_keys("52.70")
        set_value(d, payment.find_element(By.NAME, "receivedOn"), f"{ym}-05")
        payment.find_element(By.CSS_SELECTOR, "button").click()
        assert "Payment of 52.70 USD recorded" in flash(d, "Payment of 52.70 USD recorded")
        assert d.find_element(By.ID, "balance").text == "0.00 USD"
        d.get(server.admin + "/")
        set_value(d, d.find_element(By.ID, "run-date"), f"{ym}-29")
        d.find_element(By.ID, "run-billing").click()
        assert "Ran 28 date(s)" in flash(d, "Ran 28 date(s)") and "0 document(s)" in flash(d)

        # The toggle opens the review of what activation on January 30 will issue.
        d.get(client_url)
        form = d.find_element(By.CSS_SELECTOR, "form.hold-on")
        Select(form.find_element(By.NAME, "planId")).select_by_visible_text("Vacation")
        set_value(d, form.find_element(By.NAME, "from"), f"{ym}-30")
        form.find_element(By.CSS_SELECTOR, "button.toggle").click()
        wait_for(d, "#hold-submit")
        totals = {e.get_attribute("data-kind"): e.text for e in d.find_elements(By.CSS_SELECTOR, ".review-total")}
        assert totals == {"creditNote": "3.40 USD", "invoice": "0.97 USD"}, totals
        review = d.find_element(By.TAG_NAME, "main").text
        assert f"{ym}-30 … {ym}-31" in review
        assert f"hold {ym}-30 … {year}-{month + 6:02d}-29" in review

        # Submit issues exactly those, and queues the emails.
        d.find_element(By.ID, "submit-hold").click()
        message = flash(d, "CN-000001")
        assert "CN-000001 (3.40 USD)" in message and "INV-000002 (0.97 USD)" in message, message
        assert "2 email(s) queued" in message, message
        assert "Active · Deactivate" in d.find_element(By.ID, "services").text

        d.get(server.admin + "/documents")
        rows = {r.get_attribute("data-number"): r.find_element(By.CSS_SELECTOR, ".doc-total").text
                for r in d.find_elements(By.CSS_SELECTOR, "#documents tr[data-number]")}
        assert rows == {"INV-000001": "52.70 USD", "CN-000001": "3.40 USD", "INV-000002": "0.97 USD"}, rows

        d.get(server.admin + "/outbox")
        outbox = d.find_element(By.ID, "outbox").text
        assert "Credit note CN-000001" in outbox and "Invoice INV-000002" in outbox
        assert "hal@example.net" in outbox

        d.get(server.admin + "/")
        wait_for(d, "#figures")
        assert d.find_element(By.ID, "fig-suspended").text == "0"
        screenshot(d, "admin-dashboard-laptop", LAPTOP)
        screenshot(d, "admin-dashboard-phone", PHONE)
    finally:
        server.stop()


def test_suspended_client_pays_three_months_and_is_back_online(browser):
    today = datetime.date.today()
    start = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
    server = Server("portal")
    try:
        token = server.cli("api-token", "create", "--name", "browser-test")
        server.start()
        plan = server.api(token, "POST", "/plans", {"name": "Home 30", "monthlyPrice": 3000})
        client = server.api(token, "POST", "/clients", {"name": "Sam Suspended", "email": "sam@example.net"})
        service = server.api(token, "POST", "/services", {
            "clientId": client["id"], "planId": plan["id"], "activeFrom": start.isoformat(),
            "addresses": ["127.0.0.1"]})
        server.api(token, "POST", "/billing/run", {"date": today.isoformat()})
        assert server.api(token, "GET", f"/services/{service['id']}")["status"] == "suspended"

        d = browser
        d.get(server.portal + "/")
        page = wait_for(d, "main").text
        assert "suspended because invoices are overdue" in page, page
        assert "Overdue invoices" in page
        screenshot(d, "portal-suspended-phone", PHONE)
        screenshot(d, "portal-suspended-laptop", LAPTOP)

        d.find_element(By.CSS_SELECTOR, 'form[action="/prepay"] input[name="months"][value="3"]').click()
        d.find_element(By.ID, "prepay").click()
        wait_for(d, "#pay")
        assert "TEST MODE" in d.page_source
        d.find_element(By.ID, "pay").click()
        WebDriverWait(d, 30, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
            lambda driver: "You are back online" in driver.find_element(By.TAG_NAME, "main").text)
        screenshot(d, "portal-back-online-phone", PHONE)

        assert server.api(token, "GET", f"/services/{service['id']}")["status"] == "active"
        # Everything invoiced is paid; the three months ahead are credit (less any invoice
        # issued but not yet due, which the payment settled too).
        status = server.api(token, "GET", f"/clients/{client['id']}")
        assert status["balanceDue"] == 0 and status["credit"] >= 6000, status
    finally:
        server.stop()
