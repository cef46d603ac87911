import PorticoCore
import Testing

@testable import PorticoStore

/// SPEC §14's worked examples, each through the real store and daily run, asserting every
/// document's date, kind, lines and amount, and the statuses on the dates named.
@Suite struct WorkedExamplesTests {
    @Test func exampleA_Prepay() throws {
        let f = try Fixture()
        defer { f.remove() }
        let plan = try f.plan("Home 30", 3000)
        let ana = try f.client()
        _ = try f.service(ana, plan, from: "2026-03-01")

        try f.run("2026-03-02")
        #expect(
            try f.documents(ana).map(Doc.init) == [
                Doc(.invoice, "2026-03-01", ["2026-03-01…2026-03-31 3000"], total: 3000)
            ])

        let paid = try f.store.recordPayment(
            clientId: ana.id, amount: 9000, receivedOn: d("2026-03-03"), method: "cash")
        #expect(paid.payment.applied.map(\.amount) == [3000])
        #expect(paid.payment.creditAdded == 6000)
        #expect(try f.store.client(ana.id).credit == 6000)
        #expect(try f.documents(ana)[0].status == .paid)

        try f.run("2026-04-01")
        var docs = try f.documents(ana)
        #expect(Doc(docs[1]) == Doc(.invoice, "2026-04-01", ["2026-04-01…2026-04-30 3000"], total: 3000))
        #expect(docs[1].status == .paid)
        #expect(try f.store.client(ana.id).credit == 3000)

        try f.run("2026-05-01")
        docs = try f.documents(ana)
        #expect(docs[2].status == .paid)
        #expect(try f.store.client(ana.id).credit == 0)

        try f.run("2026-06-01")
        docs = try f.documents(ana)
        #expect(Doc(docs[3]) == Doc(.invoice, "2026-06-01", ["2026-06-01…2026-06-30 3000"], total: 3000))
        #expect(docs[3].status == .unpaid)
        #expect(try f.store.client(ana.id).balanceDue == 3000)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    @Test func exampleB_ThreeMonthPeriod() throws {
        for (price, type, expected) in [
            (nil, InvoicingType.forward, Doc(.invoice, "2026-03-01", ["2026-03-01…2026-05-31 9000"], total: 9000)),
            (Money(8500), .forward, Doc(.invoice, "2026-03-01", ["2026-03-01…2026-05-31 8500"], total: 8500)),
            (nil, .backward, Doc(.invoice, "2026-06-01", ["2026-03-01…2026-05-31 9000"], total: 9000)),
        ] {
            let f = try Fixture()
            defer { f.remove() }
            let plan = try f.plan("Home 30", 3000, periods: [1, 3], prices: price.map { [3: $0] } ?? [:])
            let ana = try f.client()
            _ = try f.service(ana, plan, from: "2026-03-01", period: 3, type: type)
            try f.run("2026-05-31")
            #expect(try f.documents(ana).map(Doc.init) == (type == .forward ? [expected] : []))
            try f.run("2026-06-01")
            let docs = try f.documents(ana).map(Doc.init)
            #expect(docs.first == expected)
            if type == .forward {
                #expect(docs.count == 2)
                #expect(
                    docs.last
                        == Doc(
                            .invoice, "2026-06-01", ["2026-06-01…2026-08-31 \(price?.minorUnits ?? 9000)"],
                            total: price?.minorUnits ?? 9000))
            } else {
                #expect(docs.count == 1)
            }
        }
    }

    @Test func exampleC_Suspension() throws {
        let f = try Fixture(settings: [("invoicing.dueDays", "14"), ("suspension.delayDays", "7")])
        defer { f.remove() }
        let plan = try f.plan("Home 30", 3000)
        let ana = try f.client()
        let svc = try f.service(ana, plan, from: "2026-06-01")
        let address = try IPPrefix("198.51.100.7")

        try f.run("2026-06-01")
        let inv = try f.documents(ana)[0]
        #expect(inv.dueOn == d("2026-06-15"))
        try f.run("2026-06-22")
        #expect(try f.status(svc, "2026-06-22") == .active)
        #expect(try f.store.stoppedAddresses().isEmpty)
        let run23 = try f.run("2026-06-23")
        #expect(try f.status(svc, "2026-06-23") == .suspended)
        #expect(run23.delta.suspend == [address])
        #expect(try f.store.stoppedAddresses() == [address])

        let paid = try f.store.recordPayment(
            clientId: ana.id, amount: 3000, receivedOn: d("2026-06-25"), method: "cash")
        #expect(paid.delta.release == [address])
        #expect(try f.status(svc, "2026-06-25") == .active)
        #expect(try f.store.stoppedAddresses().isEmpty)
        #expect(try f.storedStatus(svc) == .active)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    /// Regular 52.70 (secondary), vacation 15.00 (primary), hold activated on Jan 30. The
    /// example is about documents, so suspension for non-payment is off.
    func holdSetup(_ f: Fixture) throws -> (ClientRecord, ServiceRecord, Plan) {
        let regular = try f.plan("Regular", 5270, role: .secondary)
        let vacation = try f.plan("Vacation", 1500, role: .primary)
        let ana = try f.client()
        let svc = try f.service(ana, regular, from: "2026-01-01")
        try f.run("2026-01-29")
        #expect(
            try f.documents(ana).map(Doc.init) == [
                Doc(.invoice, "2026-01-01", ["2026-01-01…2026-01-31 5270"], total: 5270)
            ])
        return (ana, svc, vacation)
    }

    @Test func exampleD_VacationHold() throws {
        let f = try Fixture(settings: [("suspension.enabled", "false")])
        defer { f.remove() }
        let (ana, svc, vacation) = try holdSetup(f)

        let preview = try f.store.previewHold(
            secondaryId: svc.id, planId: vacation.id, from: d("2026-01-30"), months: nil)
        let hold = try f.store.activateHold(
            secondaryId: svc.id, planId: vacation.id, from: d("2026-01-30"), months: nil)
        #expect(preview.documents == hold.documents)
        #expect(hold.primary.service.terms[0].range == DayRange(d("2026-01-30"), d("2026-07-30")))
        var docs = try f.documents(ana).map(Doc.init)
        #expect(
            Array(docs.dropFirst()) == [
                Doc(.creditNote, "2026-01-30", ["2026-01-30…2026-01-31 340"], total: 340),
                Doc(.invoice, "2026-01-30", ["2026-01-30…2026-01-31 97"], total: 97),
            ])
        #expect(try f.documents(ana)[1].corrects == f.documents(ana)[0].id)
        #expect(try f.status(svc, "2026-01-30") == .overridden)

        try f.run("2026-08-01")
        docs = try f.documents(ana).map(Doc.init)
        let expected =
            ["02", "03", "04", "05", "06"].map { m -> Doc in
                let last = ["02": "28", "03": "31", "04": "30", "05": "31", "06": "30"][m]!
                return Doc(.invoice, "2026-\(m)-01", ["2026-\(m)-01…2026-\(m)-\(last) 1500"], total: 1500)
            } + [
                Doc(.invoice, "2026-07-01", ["2026-07-01…2026-07-29 1403", "2026-07-30…2026-07-31 340"], total: 1743),
                Doc(.invoice, "2026-08-01", ["2026-08-01…2026-08-31 5270"], total: 5270),
            ]
        #expect(Array(docs.dropFirst(3)) == expected)
        #expect(try f.status(svc, "2026-07-29") == .overridden)
        #expect(try f.status(svc, "2026-07-30") == .active)
        #expect(try f.storedStatus(svc) == .active)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    @Test func exampleE_EarlyEnd() throws {
        let f = try Fixture(settings: [("suspension.enabled", "false")])
        defer { f.remove() }
        let (ana, svc, vacation) = try holdSetup(f)
        let hold = try f.store.activateHold(
            secondaryId: svc.id, planId: vacation.id, from: d("2026-01-30"), months: nil)
        try f.run("2026-04-09")
        let before = try f.documents(ana).count

        let end = try f.store.endHold(primaryId: hold.primary.id, on: d("2026-04-10"))
        #expect(end.documents.count == 2)
        var docs = try f.documents(ana).map(Doc.init)
        #expect(
            Array(docs.dropFirst(before)) == [
                Doc(.creditNote, "2026-04-10", ["2026-04-10…2026-04-30 1050"], total: 1050),
                Doc(.invoice, "2026-04-10", ["2026-04-10…2026-04-30 3689"], total: 3689),
            ])
        #expect(try f.status(svc, "2026-04-10") == .active)

        try f.run("2026-05-01")
        docs = try f.documents(ana).map(Doc.init)
        #expect(docs.last == Doc(.invoice, "2026-05-01", ["2026-05-01…2026-05-31 5270"], total: 5270))
        #expect(docs.count == before + 3)
        #expect(try f.store.ledgerCheck().isEmpty)
    }

    @Test func exampleF_Reactivation() throws {
        let f = try Fixture(settings: [("reactivation.enabled", "true")])
        defer { f.remove() }
        let plan = try f.plan("Home 30", 3000)
        let ana = try f.client()
        let svc = try f.service(ana, plan, from: "2026-06-01", to: "2026-09-30")
        let address = try IPPrefix("198.51.100.7")
        try f.store.recordPayment(clientId: ana.id, amount: 12000, receivedOn: d("2026-06-01"), method: "cash")

        try f.run("2026-09-30")
        #expect(try f.status(svc, "2026-09-30") == .active)
        let ended = try f.run("2027-05-14")
        #expect(ended.delta.suspend == [address])
        var docs = try f.documents(ana).map(Doc.init)
        #expect(docs.map(\.issuedOn) == ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"])
        #expect(try f.status(svc, "2026-10-01") == .ended)
        #expect(try f.storedStatus(svc) == .ended)
        #expect(try f.store.stoppedAddresses() == [address])

        let quote = try f.store.quote(
            clientId: ana.id, purpose: .reactivation(serviceId: svc.id, months: 3),
            on: d("2027-05-15"))
        #expect(quote.total == 9000)
        let result = try f.store.reactivate(
            serviceId: svc.id, months: 3, on: d("2027-05-15"), amount: 9000,
            method: "test", gatewayReference: "chk_1")
        #expect(result.delta.release == [address])
        docs = try f.documents(ana).map(Doc.init)
        #expect(docs.last == Doc(.invoice, "2027-05-15", ["2027-05-15…2027-08-14 9000"], total: 9000))
        #expect(try f.documents(ana).last!.status == .paid)
        #expect(try f.store.service(svc.id, on: d("2027-05-15")).service.activeTo == d("2027-08-14"))
        #expect(try f.store.stoppedAddresses().isEmpty)

        try f.run("2027-08-14")
        #expect(try f.documents(ana).count == 5)
        #expect(try f.status(svc, "2027-08-14") == .active)
        try f.run("2027-08-15")
        #expect(try f.documents(ana).count == 5)
        #expect(try f.status(svc, "2027-08-15") == .ended)
        #expect(try f.store.stoppedAddresses() == [address])
        #expect(try f.store.ledgerCheck().isEmpty)
    }
}
