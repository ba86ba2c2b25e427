//! Bank files written by hand, as banks send them. Each fixture of a version whose schema is kept
//! in the shared data is validated against it (`read_camt`, `read_pain002`).

/// A camt.054.001.08 debit/credit notification as a German bank sends it after a clearing
/// run: a credit with an RF creditor reference, a credit without one (`NOTPROVIDED`, unstructured
/// text, an invoice number, a name with `&amp;`, booked at a datetime with an offset), a batch
/// credit of three transactions (the third with only `AmtDtls/TxAmt`), a debit, a reversal and a
/// pending credit without details.
pub const CAMT054_V08: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- Debit/credit notification of the clearing account after the 14:00 run -->
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>NTF-20261124-0042</MsgId>
      <CreDtTm>2026-11-24T15:02:11.250+01:00</CreDtTm>
      <MsgPgntn>
        <PgNb>1</PgNb>
        <LastPgInd>true</LastPgInd>
      </MsgPgntn>
    </GrpHdr>
    <Ntfctn>
      <Id>NTF-20261124-0042-EUR</Id>
      <ElctrncSeqNb>4711</ElctrncSeqNb>
      <CreDtTm>2026-11-24T15:02:11+01:00</CreDtTm>
      <Acct>
        <Id>
          <IBAN>DE89370400440532013000</IBAN>
        </Id>
        <Ccy>EUR</Ccy>
        <Ownr>
          <Nm>Clearhouse GmbH</Nm>
        </Ownr>
        <Svcr>
          <FinInstnId>
            <BICFI>COBADEFFXXX</BICFI>
          </FinInstnId>
        </Svcr>
      </Acct>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">12500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-24</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001234</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <AcctSvcrRef>2026112400001234-1</AcctSvcrRef>
              <InstrId>HRI-2026-0917</InstrId>
              <EndToEndId>CLR-2026-000381</EndToEndId>
              <UETR>7b4e6c1a-3f2d-4c8e-9a1b-2d3e4f5a6b7c</UETR>
            </Refs>
            <Amt Ccy="EUR">12500.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Hamburger Reis Import GmbH</Nm>
                  <PstlAdr>
                    <TwnNm>Hamburg</TwnNm>
                    <Ctry>DE</Ctry>
                  </PstlAdr>
                </Pty>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <IBAN>DE02100100100006820101</IBAN>
                </Id>
              </DbtrAcct>
              <Cdtr>
                <Pty>
                  <Nm>Clearhouse GmbH</Nm>
                </Pty>
              </Cdtr>
            </RltdPties>
            <RltdAgts>
              <DbtrAgt>
                <FinInstnId>
                  <BICFI>PBNKDEFFXXX</BICFI>
                </FinInstnId>
              </DbtrAgt>
            </RltdAgts>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Tp>
                    <CdOrPrtry>
                      <Cd>SCOR</Cd>
                    </CdOrPrtry>
                    <Issr>ISO</Issr>
                  </Tp>
                  <Ref>RF18539007547034</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>2</NtryRef>
        <Amt Ccy="EUR">980.40</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <DtTm>2026-11-25T00:15:00+01:00</DtTm>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-25</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001240</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <EndToEndId>NOTPROVIDED</EndToEndId>
            </Refs>
            <Amt Ccy="EUR">980.40</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Lyon Pharma Distribution &amp; Cie SA</Nm>
                </Pty>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <Othr>
                    <Id>00012345678</Id>
                    <SchmeNm>
                      <Cd>BBAN</Cd>
                    </SchmeNm>
                  </Othr>
                </Id>
              </DbtrAcct>
            </RltdPties>
            <RmtInf>
              <Ustrd>Facture n° 2026-117, riz basmati</Ustrd>
              <Ustrd>lot 3 sur 4</Ustrd>
              <Strd>
                <RfrdDocInf>
                  <Tp>
                    <CdOrPrtry>
                      <Cd>CINV</Cd>
                    </CdOrPrtry>
                  </Tp>
                  <Nb>INV-2026-117</Nb>
                  <RltdDt>2026-11-02</RltdDt>
                </RfrdDocInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>3</NtryRef>
        <Amt Ccy="EUR">4350.75</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-24</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001251</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
          <Prtry>
            <Cd>SEPA-BATCH</Cd>
            <Issr>COBADEFF</Issr>
          </Prtry>
        </BkTxCd>
        <NtryDtls>
          <Btch>
            <MsgId>BATCH-77120</MsgId>
            <PmtInfId>PMT-77120-1</PmtInfId>
            <NbOfTxs>3</NbOfTxs>
            <TtlAmt Ccy="EUR">4350.75</TtlAmt>
            <CdtDbtInd>CRDT</CdtDbtInd>
          </Btch>
          <TxDtls>
            <Refs>
              <EndToEndId>CLR-2026-000390</EndToEndId>
            </Refs>
            <Amt Ccy="EUR">1200.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Wiener Teehaus Müller KG</Nm>
                </Pty>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <IBAN>AT611904300234573201</IBAN>
                </Id>
              </DbtrAcct>
            </RltdPties>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Ref>RF712348231</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs>
              <EndToEndId>CLR-2026-000391</EndToEndId>
            </Refs>
            <Amt Ccy="EUR">3000.50</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Milano Tessuti S.p.A.</Nm>
                </Pty>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <IBAN>IT60X0542811101000000123456</IBAN>
                </Id>
              </DbtrAcct>
            </RltdPties>
            <RltdAgts>
              <DbtrAgt>
                <FinInstnId>
                  <BICFI>BPMOIT22XXX</BICFI>
                </FinInstnId>
              </DbtrAgt>
            </RltdAgts>
            <RmtInf>
              <Ustrd>Ordine 5521 tessuti</Ustrd>
            </RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs>
              <EndToEndId>CLR-2026-000392</EndToEndId>
            </Refs>
            <AmtDtls>
              <InstdAmt>
                <Amt Ccy="USD">165.00</Amt>
              </InstdAmt>
              <TxAmt>
                <Amt Ccy="EUR">150.25</Amt>
              </TxAmt>
            </AmtDtls>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Antwerp Diamond Tools BV</Nm>
                </Pty>
              </Dbtr>
            </RltdPties>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>4</NtryRef>
        <Amt Ccy="EUR">8000.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-24</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001266</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>ICDT</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <InstrId>CLR-C-2026-118</InstrId>
              <EndToEndId>CLR-2026-000377</EndToEndId>
            </Refs>
            <Amt Ccy="EUR">8000.00</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Clearhouse GmbH</Nm>
                </Pty>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <IBAN>DE89370400440532013000</IBAN>
                </Id>
              </DbtrAcct>
              <Cdtr>
                <Pty>
                  <Nm>Rotterdam Medical Supplies B.V.</Nm>
                </Pty>
              </Cdtr>
              <CdtrAcct>
                <Id>
                  <IBAN>NL91ABNA0417164300</IBAN>
                </Id>
              </CdtrAcct>
            </RltdPties>
            <RltdAgts>
              <CdtrAgt>
                <FinInstnId>
                  <BICFI>ABNANL2AXXX</BICFI>
                </FinInstnId>
              </CdtrAgt>
            </RltdAgts>
            <RmtInf>
              <Ustrd>Clearing cycle 2026-11-24 payout</Ustrd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>5</NtryRef>
        <Amt Ccy="EUR">500.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <RvslInd>true</RvslInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-23</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001270</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>RRTN</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <EndToEndId>CLR-2026-000355</EndToEndId>
            </Refs>
            <Amt Ccy="EUR">500.00</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
            <RmtInf>
              <Ustrd>Reversal of wrongly credited payment</Ustrd>
            </RmtInf>
            <RtrInf>
              <Rsn>
                <Cd>AC04</Cd>
              </Rsn>
            </RtrInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>6</NtryRef>
        <Amt Ccy="EUR">99.99</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>
          <Cd>PDNG</Cd>
        </Sts>
        <ValDt>
          <Dt>2026-11-26</Dt>
        </ValDt>
        <BkTxCd>
          <Prtry>
            <Cd>PENDING-CREDIT</Cd>
          </Prtry>
        </BkTxCd>
        <AddtlNtryInf>Credit announced, not yet booked</AddtlNtryInf>
      </Ntry>
      <AddtlNtfctnInf>End of notification</AddtlNtfctnInf>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"##;

/// A camt.053.001.08 statement of two accounts: EUR (account without IBAN, balances, a
/// credit with details and a debit without) and JPY (no minor unit, proprietary status,
/// booking datetime without zone).
pub const CAMT053_V08: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>STMT-20261124-0001</MsgId>
      <CreDtTm>2026-11-25T06:00:00Z</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>STMT-20261124-EUR</Id>
      <ElctrncSeqNb>328</ElctrncSeqNb>
      <CreDtTm>2026-11-25T06:00:00Z</CreDtTm>
      <FrToDt>
        <FrDtTm>2026-11-24T00:00:00Z</FrDtTm>
        <ToDtTm>2026-11-24T23:59:59Z</ToDtTm>
      </FrToDt>
      <Acct>
        <Id>
          <Othr>
            <Id>CLR-EUR-0001</Id>
            <SchmeNm>
              <Prtry>CLEARHOUSE</Prtry>
            </SchmeNm>
          </Othr>
        </Id>
        <Ccy>EUR</Ccy>
        <Nm>Clearing account EUR</Nm>
      </Acct>
      <Bal>
        <Tp>
          <CdOrPrtry>
            <Cd>OPBD</Cd>
          </CdOrPrtry>
        </Tp>
        <Amt Ccy="EUR">250000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt>
          <Dt>2026-11-24</Dt>
        </Dt>
      </Bal>
      <Bal>
        <Tp>
          <CdOrPrtry>
            <Cd>CLBD</Cd>
          </CdOrPrtry>
        </Tp>
        <Amt Ccy="EUR">254500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt>
          <Dt>2026-11-24</Dt>
        </Dt>
      </Bal>
      <TxsSummry>
        <TtlNtries>
          <NbOfNtries>2</NbOfNtries>
        </TtlNtries>
      </TxsSummry>
      <Ntry>
        <NtryRef>STMT-328-1</NtryRef>
        <Amt Ccy="EUR">12500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-24</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001234</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <EndToEndId>CLR-2026-000381</EndToEndId>
            </Refs>
            <Amt Ccy="EUR">12500.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties>
              <Dbtr>
                <Pty>
                  <Nm>Hamburger Reis Import GmbH</Nm>
                </Pty>
              </Dbtr>
            </RltdPties>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Ref>RF18539007547034</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">8000.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>
          <Cd>BOOK</Cd>
        </Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-24</Dt>
        </ValDt>
        <AcctSvcrRef>2026112400001266</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>ICDT</Cd>
              <SubFmlyCd>ESCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
      </Ntry>
    </Stmt>
    <Stmt>
      <Id>STMT-20261124-JPY</Id>
      <Acct>
        <Id>
          <IBAN>DE27100777770209299700</IBAN>
        </Id>
        <Ccy>JPY</Ccy>
      </Acct>
      <Bal>
        <Tp>
          <CdOrPrtry>
            <Cd>CLBD</Cd>
          </CdOrPrtry>
        </Tp>
        <Amt Ccy="JPY">1500000</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt>
          <Dt>2026-11-24</Dt>
        </Dt>
      </Bal>
      <Ntry>
        <Amt Ccy="JPY">1500000</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>
          <Prtry>BOOKED-FX</Prtry>
        </Sts>
        <BookgDt>
          <DtTm>2026-11-24T10:00:00</DtTm>
        </BookgDt>
        <BkTxCd>
          <Prtry>
            <Cd>FX-IN</Cd>
          </Prtry>
        </BkTxCd>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"##;

/// A pain.002.001.10 status report: group PART with a reason without code; block A rejected
/// (AC01) without payments; block B with payments ACSC, RJCT (AM04) and ACSC with an equivalent
/// amount; block C rejected (proprietary reason) with a payment without status of its own.
pub const PAIN002_V10: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>PSR-20261124-0007</MsgId>
      <CreDtTm>2026-11-24T16:45:00-05:00</CreDtTm>
      <InitgPty>
        <Nm>Commerzbank AG</Nm>
      </InitgPty>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>CLR-PAY-20261124-01</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <OrgnlCreDtTm>2026-11-24T14:05:00Z</OrgnlCreDtTm>
      <OrgnlNbOfTxs>5</OrgnlNbOfTxs>
      <GrpSts>PART</GrpSts>
      <StsRsnInf>
        <AddtlInf>3 of 5 payments rejected</AddtlInf>
      </StsRsnInf>
      <NbOfTxsPerSts>
        <DtldNbOfTxs>2</DtldNbOfTxs>
        <DtldSts>ACSC</DtldSts>
      </NbOfTxsPerSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>CLR-PAY-20261124-01-A</OrgnlPmtInfId>
      <OrgnlNbOfTxs>1</OrgnlNbOfTxs>
      <PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf>
        <Orgtr>
          <Nm>Commerzbank AG</Nm>
        </Orgtr>
        <Rsn>
          <Cd>AC01</Cd>
        </Rsn>
        <AddtlInf>Debtor account number invalid</AddtlInf>
        <AddtlInf>or missing</AddtlInf>
      </StsRsnInf>
    </OrgnlPmtInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>CLR-PAY-20261124-01-B</OrgnlPmtInfId>
      <PmtInfSts>PART</PmtInfSts>
      <TxInfAndSts>
        <StsId>STS-1</StsId>
        <OrgnlInstrId>CLR-C-2026-118</OrgnlInstrId>
        <OrgnlEndToEndId>CLR-2026-000377</OrgnlEndToEndId>
        <TxSts>ACSC</TxSts>
        <AccptncDtTm>2026-11-24T15:00:00Z</AccptncDtTm>
        <OrgnlTxRef>
          <Amt>
            <InstdAmt Ccy="EUR">8000.00</InstdAmt>
          </Amt>
          <ReqdExctnDt>
            <Dt>2026-11-24</Dt>
          </ReqdExctnDt>
          <Cdtr>
            <Pty>
              <Nm>Rotterdam Medical Supplies B.V.</Nm>
            </Pty>
          </Cdtr>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlInstrId>CLR-C-2026-119</OrgnlInstrId>
        <OrgnlEndToEndId>CLR-2026-000378</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Rsn>
            <Cd>AM04</Cd>
          </Rsn>
          <AddtlInf>Insufficient funds</AddtlInf>
        </StsRsnInf>
        <OrgnlTxRef>
          <Amt>
            <InstdAmt Ccy="EUR">250000.00</InstdAmt>
          </Amt>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>CLR-2026-000379</OrgnlEndToEndId>
        <TxSts>ACSC</TxSts>
        <OrgnlTxRef>
          <Amt>
            <EqvtAmt>
              <Amt Ccy="USD">1630.20</Amt>
              <CcyOfTrf>EUR</CcyOfTrf>
            </EqvtAmt>
          </Amt>
        </OrgnlTxRef>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>CLR-PAY-20261124-01-C</OrgnlPmtInfId>
      <PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf>
        <Rsn>
          <Prtry>CUTOFF</Prtry>
        </Rsn>
      </StsRsnInf>
      <TxInfAndSts>
        <OrgnlEndToEndId>CLR-2026-000380</OrgnlEndToEndId>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"##;

/// A camt.054.001.02 notification in the old layout: `Sts` as text, `Dbtr/Nm` without `Pty`,
/// `BIC`, the transaction amount only in `AmtDtls/TxAmt`. (No schema of .001.02 is kept, so it is
/// not validated.)
pub const CAMT054_V02: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>ZKB-NTF-20261124-9</MsgId>
      <CreDtTm>2026-11-24T15:02:11</CreDtTm>
    </GrpHdr>
    <Ntfctn>
      <Id>ZKB-NTF-20261124-9-1</Id>
      <CreDtTm>2026-11-24T15:02:11</CreDtTm>
      <Acct>
        <Id>
          <IBAN>CH9300762011623852957</IBAN>
        </Id>
        <Ccy>CHF</Ccy>
      </Acct>
      <Ntry>
        <Amt Ccy="CHF">320.50</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt>
          <Dt>2026-11-24</Dt>
        </BookgDt>
        <ValDt>
          <Dt>2026-11-24</Dt>
        </ValDt>
        <AcctSvcrRef>ZKB-55120</AcctSvcrRef>
        <BkTxCd>
          <Domn>
            <Cd>PMNT</Cd>
            <Fmly>
              <Cd>RCDT</Cd>
              <SubFmlyCd>DMCT</SubFmlyCd>
            </Fmly>
          </Domn>
        </BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              <AcctSvcrRef>ZKB-55120-1</AcctSvcrRef>
              <EndToEndId>NOTPROVIDED</EndToEndId>
            </Refs>
            <AmtDtls>
              <TxAmt>
                <Amt Ccy="CHF">320.50</Amt>
              </TxAmt>
            </AmtDtls>
            <RltdPties>
              <Dbtr>
                <Nm>Basel Chemicals AG</Nm>
              </Dbtr>
              <DbtrAcct>
                <Id>
                  <IBAN>CH5604835012345678009</IBAN>
                </Id>
              </DbtrAcct>
            </RltdPties>
            <RltdAgts>
              <DbtrAgt>
                <FinInstnId>
                  <BIC>ZKBKCHZZ80A</BIC>
                </FinInstnId>
              </DbtrAgt>
            </RltdAgts>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Tp>
                    <CdOrPrtry>
                      <Cd>SCOR</Cd>
                    </CdOrPrtry>
                  </Tp>
                  <Ref>RF02300000000000000000000</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"##;

/// A pain.002.001.03 report rejecting a whole group (not validated: no schema of .001.03 is kept).
pub const PAIN002_V03: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>STS-OLD-1</MsgId>
      <CreDtTm>2026-11-24T10:00:00</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>CLR-PAY-20261123-02</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
      <GrpSts>RJCT</GrpSts>
      <StsRsnInf>
        <Rsn>
          <Cd>FF01</Cd>
        </Rsn>
        <AddtlInf>File format incomplete or invalid</AddtlInf>
      </StsRsnInf>
    </OrgnlGrpInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"##;
