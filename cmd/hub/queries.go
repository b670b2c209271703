package main

// Example queries the demo prints; the README shows the same ones.

const citizenQuery = `{
  citizen(id: "%s") {
    id
    identity { fullName sex birthDate nationality }
    residence { current { detail commune { code name } province { name } } }
    vaccination {
      status
      doses { number kind date vaccine site { name } }
      certificate { status certificateId }
      reconciliation { status mismatched }
    }
    insurance { cardCode socialNumber validTo validToday clinic { name } }
    declarations(first: 3) { edges { node { kind submittedAt symptoms } } }
    movements(first: 3) { edges { node { time direction checkpoint { name } origin { name } destination { name } } } }
  }
}`

const qrQuery = `{
  citizenByQR(payload: "%s") {
    kind documentNumber
    registryCheck { agrees fields { field matches } }
    citizen { identity { fullName } vaccination { status } }
  }
}`

const arrivalsQuery = `{
  arrivals(provinceCode: "%s", from: "%s", to: "%s", first: 100) {
    edges { node {
      time origin { name } destination { name } checkpoint { name }
      traveller { documentKind nationality }
      citizen { identity { fullName } vaccination { status } insurance { validToday } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`

const reconciliationQuery = `{
  reconciliation(communeCode: "%s", status: MISMATCH, first: 20) {
    edges { node { personId status mismatched recorded { fullName birthDate } } }
    pageInfo { hasNextPage endCursor }
  }
}`

const coverageQuery = `{
  coverage(adminUnit: "%s") {
    adminUnit { code name }
    population
    byDose { doseNumber count rate }
  }
}`
