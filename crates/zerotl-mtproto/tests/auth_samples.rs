//! The sample exchange of Telegram's docs, reproduced byte for byte where it is
//! deterministic.
//!
//! Source: core.telegram.org/mtproto/samples-auth_key. The page's long-standing
//! revision (2013 values: nonce 3E0549828CCA..., server_time 1373993675) walks
//! through a whole exchange; its current revision (read via the search tool's
//! stored copy of corefork.telegram.org) starts with `req_pq_multi` and a
//! production `resPQ` offering three fingerprints. The hex below is copied from
//! those pages; every value is cross-checked against the others by the tests
//! (hashes, decryptions, modular powers), so a copying mistake cannot pass.

mod auth_support;

use auth_support::{arr, h, plain_message, ScriptedRng};
use num_bigint_dig::BigUint;
use zerotl::Decode;
use zerotl_mtproto::auth::{AuthError, ClientStep, KeyExchangeClient, KeyExchangeConfig};
use zerotl_mtproto::crypto::dh::{DhError, DhGroup, TELEGRAM_DH_PRIME};
use zerotl_mtproto::crypto::factor::{factorize_pq, is_prime, pq_from_bytes};
use zerotl_mtproto::crypto::kdf::{handshake_aes_key_iv, initial_server_salt};
use zerotl_mtproto::crypto::{aes_ige_decrypt, sha1, AuthKey};
use zerotl_types::mtproto::{enums, functions, types};

// ---- current revision: req_pq_multi and a production resPQ ----

const NEW_REQ_PQ_MULTI: &str = "0000000000000000 E0D10C0021A97268 14000000 F18E7EBE \
    75E622F3BC7D714632B833821FD7BB0C";
const NEW_RES_PQ: &str = "0000000000000000 014C527921A97268 50000000 63241605 \
    75E622F3BC7D714632B833821FD7BB0C 8EC53EC050CB2D475B457BAF445B49F5 \
    0816E748B29522C68F000000 15C4B51C 03000000 85FD64DE851D9DD0 A5B7F709355FC30B 216BE86C022BB4C3";

// ---- 2013 revision: the whole exchange ----

const NONCE: &str = "3E0549828CCA27E966B301A48FECE2FC";
const SERVER_NONCE: &str = "A5CF4D33F4A11EA877BA4AA573907330";
const NEW_NONCE: &str = "311C85DB234AA2640AFC4A76A735CF5B1F0FD68BD17FA181E1229AD867CC024D";
const OLD_REQ_PQ: &str =
    "0000000000000000 4A967027C47AE551 14000000 78974660 3E0549828CCA27E966B301A48FECE2FC";
const OLD_RES_PQ: &str = "0000000000000000 01C8831EC97AE551 40000000 63241605 \
    3E0549828CCA27E966B301A48FECE2FC A5CF4D33F4A11EA877BA4AA573907330 \
    0817ED48941A08F981000000 15C4B51C 01000000 216BE86C022BB4C3";
const P_Q_INNER_DATA_SHA1: &str = "DB761C27718A2305044F71F2AD951629D78B2449";
const RSA_ENCRYPTED_DATA: &str = "7BB0100A523161904D9C69FA04BC60DECFC5DD74B99995C768EB60D8716E2109BAF2D4601DAB6B09610DC11067BB89021E09471FCFA52DBD0F23204AD8CA8B012BF40A112F44695AB6C266955386114EF5211E6372227ADBD34995D3E0E5FF02EC63A43F9926878962F7C570E6A6E78BF8366AF917A5272675C46064BE62E3E202EFA8B1ADFB1C32A898C2987BE27B5F31D57C9BB963ABCB734B16F652CEDB4293CBB7C878A3A3FFAC9DBEA9DF7C67BC9E9508E111C78FC46E057F5C65ADE381D91FEE430A6B576A99BDF8551FDB1BE2B57069B1A45730618F27427E8A04720B4971EF4A9215983D68F2830C3EAA6E40385562F970D38A05C9F1246DC33438E6";
/// The first 0x54 bytes of the req_DH_params hexdump (header, ids, p, q,
/// fingerprint, and the 4-byte length of encrypted_data).
const REQ_DH_PARAMS_HEAD: &str = "0000000000000000 277A7117C97AE551 40010000 BEE412D7 \
    3E0549828CCA27E966B301A48FECE2FC A5CF4D33F4A11EA877BA4AA573907330 \
    04494C553B000000 0453911073000000 216BE86C022BB4C3 FE000100";
const SERVER_DH_OK_HEAD: &str = "0000000000000000 01544336CB7AE551 78020000 5C07E8D0 \
    3E0549828CCA27E966B301A48FECE2FC A5CF4D33F4A11EA877BA4AA573907330 FE500200";
const ENCRYPTED_ANSWER: &str = "28A92FE20173B347A8BB324B5FAB2667C9A8BBCE6468D5B509A4CBDDC186240AC912CF7006AF8926DE606A2E74C0493CAA57741E6C82451F54D3E068F5CCC49B4444124B9666FFB405AAB564A3D01E67F6E912867C8D20D9882707DC330B17B4E0DD57CB53BFAAFA9EF5BE76AE6C1B9B6C51E2D6502A47C883095C46C81E3BE25F62427B585488BB3BF239213BF48EB8FE34C9A026CC8413934043974DB03556633038392CECB51F94824E140B98637730A4BE79A8F9DAFA39BAE81E1095849EA4C83467C92A3A17D997817C8A7AC61C3FF414DA37B7D66E949C0AEC858F048224210FCC61F11C3A910B431CCBD104CCCC8DC6D29D4A5D133BE639A4C32BBFF153E63ACA3AC52F2E4709B8AE01844B142C1EE89D075D64F69A399FEB04E656FE3675A6F8F412078F3D0B58DA15311C1A9F8E53B3CD6BB5572C294904B726D0BE337E2E21977DA26DD6E33270251C2CA29DFCC70227F0755F84CFDA9AC4B8DD5F84F1D1EB36BA45CDDC70444D8C213E4BD8F63B8AB95A2D0B4180DC91283DC063ACFB92D6A4E407CDE7C8C69689F77A007441D4A6A8384B666502D9B77FC68B5B43CC607E60A146223E110FCB43BC3C942EF981930CDC4A1D310C0B64D5E55D308D863251AB90502C3E46CC599E886A927CDA963B9EB16CE62603B68529EE98F9F5206419E03FB458EC4BD9454AA8F6BA777573CC54B328895B1DF25EAD9FB4CD5198EE022B2B81F388D281D5E5BC580107CA01A50665C32B552715F335FD76264FAD00DDD5AE45B94832AC79CE7C511D194BC42B70EFA850BB15C2012C5215CABFE97CE66B8D8734D0EE759A638AF013";
const TMP_AES_KEY: &str = "F011280887C7BB01DF0FC4E17830E0B91FBB8BE4B2267CB985AE25F33B527253";
const TMP_AES_IV: &str = "3212D579EE35452ED23E0D0C92841AA7D31B2E9BDEF2151E80D15860311C85DB";
const ANSWER: &str = "BA0D89B53E0549828CCA27E966B301A48FECE2FCA5CF4D33F4A11EA877BA4AA57390733002000000FE000100C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F642477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5BFE000100262AABA621CC4DF587DC94CF8252258C0B9337DFB47545A49CDD5C9B8EAE7236C6CADC40B24E88590F1CC2CC762EBF1CF11DCC0B393CAAD6CEE4EE5848001C73ACBB1D127E4CB93072AA3D1C8151B6FB6AA6124B7CD782EAF981BDCFCE9D7A00E423BD9D194E8AF78EF6501F415522E44522281C79D906DDB79C72E9C63D83FB2A940FF779DFB5F2FD786FB4AD71C9F08CF48758E534E9815F634F1E3A80A5E1C2AF210C5AB762755AD4B2126DFA61A77FA9DA967D65DFD0AFB5CDF26C4D4E1A88B180F4E0D0B45BA1484F95CB2712B50BF3F5968D9D55C99C0FB9FB67BFF56D7D4481B634514FBA3488C4CDA2FC0659990E8E868B28632875A9AA703BCDCE8FCB7AE551";
const B: &str = "6F620AFA575C9233EB4C014110A7BCAF49464F798A18A0981FEA1E05E8DA67D9681E0FD6DF0EDF0272AE3492451A84502F2EFC0DA18741A5FB80BD82296919A70FAA6D07CBBBCA2037EA7D3E327B61D585ED3373EE0553A91CBD29B01FA9A89D479CA53D57BDE3A76FBD922A923A0A38B922C1D0701F53FF52D7EA9217080163A64901E766EB6A0F20BC391B64B9D1DD2CD13A7D0C946A3A7DF8CEC9E2236446F646C42CFE2B60A2A8D776E56C8D7519B08B88ED0970E10D12A8C9E355D765F2B7BBB7B4CA9360083435523CB0D57D2B106FD14F94B4EEE79D8AC131CA56AD389C84FE279716F8124A543337FB9EA3D988EC5FA63D90A4BA3970E7A39E5C0DE5";
const G_B: &str = "73700E7BFC7AEEC828EB8E0DCC04D09A 0DD56A1B4B35F72F0B55FCE7DB7EBB72 \
    D7C33C5D4AA59E1C74D09B01AE536B31 8CFED436AFDB15FE9EB4C70D7F0CB14E \
    46DBBDE9053A64304361EB358A9BB32E 9D5C2843FE87248B89C3F066A7D5876D \
    61657ACC52B0D81CD683B2A0FA93E8AD AB20377877F3BC3369BBF57B10F5B589 \
    E65A9C27490F30A0C70FFCFD3453F5B3 79C1B9727A573CFFDCA8D23C721B135B \
    92E529B1CDD2F7ABD4F34DAC4BE1EEAF 60993DDE8ED45890E4F47C26F2C0B2E0 \
    37BB502739C8824F2A99E2B1E7E41658 3417CC79A8807A4BDAC6A5E9805D4F61 \
    86C37D66F6988C9F9C752896F3D34D25 529263FAF2670A09B2A59CE35264511F";
const SET_CLIENT_DH_ENCRYPTED: &str = "928A4957D0463B525C1CC48AABAA030A256BE5C746792C84CA4C5A0DF60AC799048D98A38A8480EDCF082214DFC79DCB9EE34E206513E2B3BC1504CFE6C9ADA46BF9A03CA74F192EAF8C278454ADABC795A566615462D31817382984039505F71CB33A41E2527A4B1AC05107872FED8E3ABCEE1518AE965B0ED3AED7F67479155BDA8E4C286B64CDF123EC748CF289B1DB02D1907B562DF462D8582BA6F0A3022DC2D3504D69D1BA48B677E3A830BFAFD67584C8AA24E1344A8904E305F9587C92EF964F0083F50F61EAB4A393EAA33C9270294AEDC7732891D4EA1599F52311D74469D2112F4EDF3F342E93C8E87E812DC3989BAECFE6740A46077524C75093F5A5405736DE8937BB6E42C9A0DCF22CA53227D462BCCC2CFE94B6FE86AB7FBFA395021F66661AF7C0024CA2986CA03F3476905407D1EA9C010B763258DB1AA2CC7826D91334EFC1FDC665B67FE45ED0";
const SET_CLIENT_DH_HEAD: &str = "0000000000000000 6D2CA32ACD7AE551 78010000 1F5F04F5 \
    3E0549828CCA27E966B301A48FECE2FC A5CF4D33F4A11EA877BA4AA573907330 FE500100";
const AUTH_KEY: &str = "AB96E207C631300986F30EF97DF55E179E63C112675F0CE502EE76D74BBEE6CBD1E95772818881E9F2FF54BD52C258787474F6A7BEA61EABE49D1D01D55F64FC07BC31685716EC8FB46FEACF9502E42CFD6B9F45A08E90AA5C2B5933AC767CBE1CD50D8E64F89727CA4A1A5D32C0DB80A9FCDBDDD4F8D5A1E774198F1A4299F927C484FEEC395F29647E43C3243986F93609E23538C21871DF50E00070B3B6A8FA9BC15628E8B43FF977409A61CEEC5A21CF7DFB5A4CC28F5257BC30CD8F2FB92FBF21E28924065F50E0BBD5E11A420300E2C136B80E9826C6C5609B5371B7850AA628323B6422F3A94F6DFDE4C3DC1EA60F7E11EE63122B3F39CBD1A8430157";
const DH_GEN_OK: &str = "0000000000000000 0130AAC5CE7AE551 34000000 34F7CB3B \
    3E0549828CCA27E966B301A48FECE2FC A5CF4D33F4A11EA877BA4AA573907330 CCEBC0217266E1EDEC7FB0A0EED6C220";
const SERVER_TIME: i32 = 1373993675;

/// The body of a plain message, after checking its header (auth_key_id 0, msg_id, length).
fn body_of(message: &[u8], msg_id: u64) -> &[u8] {
    assert_eq!(
        &message[..8],
        &[0u8; 8],
        "auth_key_id of a plain message is 0"
    );
    assert_eq!(
        u64::from_le_bytes(message[8..16].try_into().unwrap()),
        msg_id
    );
    let len = u32::from_le_bytes(message[16..20].try_into().unwrap()) as usize;
    assert_eq!(len, message.len() - 20);
    &message[20..]
}

#[test]
fn current_sample_req_pq_multi_is_what_the_client_sends() {
    let sample = h(NEW_REQ_PQ_MULTI);
    let body = body_of(&sample, 0x6872A921000CD1E0);
    let (_, ours) = KeyExchangeClient::start_with_nonce(
        KeyExchangeConfig::telegram_production(2),
        arr("75E622F3BC7D714632B833821FD7BB0C"),
    )
    .unwrap();
    assert_eq!(ours, body);
    assert_eq!(plain_message(0x6872A921000CD1E0, &ours), sample);
}

#[test]
fn current_sample_res_pq_is_answered_with_a_production_key() {
    let sample = h(NEW_RES_PQ);
    let body = body_of(&sample, 0x6872A92179524C01);
    let enums::ResPq::Pq(res) = enums::ResPq::decode_from_slice(body).unwrap();
    let offered: Vec<u64> = res
        .server_public_key_fingerprints
        .iter()
        .map(|f| f as u64)
        .collect();
    assert_eq!(
        offered,
        [0xd09d1d85de64fd85, 0x0bc35f3509f7b7a5, 0xc3b42b026ce86b21]
    );

    let pq = pq_from_bytes(res.pq.as_slice()).unwrap();
    assert_eq!(pq, 0x16E748B29522C68F);
    let (p, q) = factorize_pq(pq).unwrap();
    assert!(p < q && is_prime(p) && is_prime(q) && p * q == pq);

    let (mut client, _) =
        KeyExchangeClient::start_with_nonce(KeyExchangeConfig::telegram_production(2), res.nonce)
            .unwrap();
    let ClientStep::Send(req) = client.handle(body, &mut auth_support::seeded(1)).unwrap() else {
        panic!("expected req_DH_params");
    };
    let req = functions::ReqDhParams::decode_from_slice(&req).unwrap();
    assert_eq!(req.nonce, res.nonce);
    assert_eq!(
        req.server_nonce,
        arr::<16>("8EC53EC050CB2D475B457BAF445B49F5")
    );
    assert_eq!(
        req.public_key_fingerprint as u64, 0xd09d1d85de64fd85,
        "the first offered key we trust"
    );
    assert_eq!(pq_from_bytes(req.p.as_slice()), Ok(p));
    assert_eq!(pq_from_bytes(req.q.as_slice()), Ok(q));
    assert_eq!(req.p.len(), 4);
    assert_eq!(req.encrypted_data.len(), 256);
}

#[test]
fn old_sample_messages_decode_and_reencode() {
    assert_eq!(
        body_of(&h(OLD_REQ_PQ), 0x51E57AC42770964A),
        h("78974660 3E0549828CCA27E966B301A48FECE2FC")
    );
    let req =
        functions::ReqPq::decode_from_slice(body_of(&h(OLD_REQ_PQ), 0x51E57AC42770964A)).unwrap();
    assert_eq!(req.nonce, arr::<16>(NONCE));

    // req_DH_params with the sample's encrypted_data, byte for byte.
    let (p, q, encrypted) = (h("494C553B"), h("53911073"), h(RSA_ENCRYPTED_DATA));
    let rebuilt = functions::ReqDhParams {
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        p: zerotl::Bytes::new(&p),
        q: zerotl::Bytes::new(&q),
        public_key_fingerprint: 0xc3b42b026ce86b21u64 as i64,
        encrypted_data: zerotl::Bytes::new(&encrypted),
    };
    let mut expected = h(REQ_DH_PARAMS_HEAD);
    expected.extend_from_slice(&h(RSA_ENCRYPTED_DATA));
    let mut body = vec![0u8; zerotl::Encode::encoded_len(&rebuilt)];
    zerotl::Encode::encode_to_slice(&rebuilt, &mut body).unwrap();
    assert_eq!(plain_message(0x51E57AC917717A27, &body), expected);
}

#[test]
fn old_sample_p_q_inner_data_and_factors() {
    assert_eq!(
        factorize_pq(0x17ED48941A08F981),
        Ok((0x494C553B, 0x53911073))
    );
    let (pq, p, q) = (h("17ED48941A08F981"), h("494C553B"), h("53911073"));
    let inner = types::PQInnerData {
        pq: zerotl::Bytes::new(&pq),
        p: zerotl::Bytes::new(&p),
        q: zerotl::Bytes::new(&q),
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        new_nonce: arr(NEW_NONCE),
    };
    let mut data = vec![0u8; zerotl::Encode::encoded_len(&inner)];
    zerotl::Encode::encode_to_slice(&inner, &mut data).unwrap();
    assert_eq!(
        data.len(),
        96,
        "offsets of the sample's table end at 64 + 32"
    );
    assert_eq!(sha1(&[&data]).to_vec(), h(P_Q_INNER_DATA_SHA1));
}

#[test]
fn old_sample_server_dh_inner_data_decrypts_with_the_sample_tmp_key() {
    let (key, iv) = handshake_aes_key_iv(&arr(NEW_NONCE), &arr(SERVER_NONCE));
    assert_eq!(key.to_vec(), h(TMP_AES_KEY));
    assert_eq!(iv.to_vec(), h(TMP_AES_IV));

    let mut message = h(SERVER_DH_OK_HEAD);
    message.extend_from_slice(&h(ENCRYPTED_ANSWER));
    let body = body_of(&message, 0x51E57ACB36435401);
    let enums::ServerDhParams::Ok(ok) = enums::ServerDhParams::decode_from_slice(body).unwrap()
    else {
        panic!("server_DH_params_ok expected");
    };
    let plain = aes_ige_decrypt(ok.encrypted_answer.as_slice(), &key, &iv).unwrap();
    let answer = h(ANSWER);
    assert_eq!(plain[..20], sha1(&[&answer]));
    assert_eq!(plain[20..20 + answer.len()], answer[..]);
    assert!(plain.len() - 20 - answer.len() < 16);

    let enums::ServerDhInnerData::Data(inner) =
        enums::ServerDhInnerData::decode_from_slice(&answer).unwrap();
    assert_eq!(inner.nonce, arr::<16>(NONCE));
    assert_eq!(inner.server_nonce, arr::<16>(SERVER_NONCE));
    assert_eq!(inner.g, 2);
    assert_eq!(
        inner.dh_prime.as_slice(),
        &TELEGRAM_DH_PRIME[..],
        "the docs' prime is the one in the sample"
    );
    assert_eq!(inner.server_time, SERVER_TIME);
}

#[test]
fn old_sample_key_arithmetic_and_dh_gen_ok() {
    // The arithmetic of the sample (independent of our DH group type, which refuses g = 2 here).
    let prime = BigUint::from_bytes_be(&TELEGRAM_DH_PRIME);
    let b = BigUint::from_bytes_be(&h(B));
    let g_a = BigUint::from_bytes_be(&h(ANSWER)[304..560]);
    assert_eq!(BigUint::from(2u32).modpow(&b, &prime).to_bytes_be(), h(G_B));
    assert_eq!(g_a.modpow(&b, &prime).to_bytes_be(), h(AUTH_KEY));

    // The client_DH_inner_data we would serialize is what the sample encrypted.
    let (key, iv) = handshake_aes_key_iv(&arr(NEW_NONCE), &arr(SERVER_NONCE));
    let mut message = h(SET_CLIENT_DH_HEAD);
    message.extend_from_slice(&h(SET_CLIENT_DH_ENCRYPTED));
    let req =
        functions::SetClientDhParams::decode_from_slice(body_of(&message, 0x51E57ACD2AA32C6D))
            .unwrap();
    let plain = aes_ige_decrypt(req.encrypted_data.as_slice(), &key, &iv).unwrap();
    let g_b = h(G_B);
    let data = types::ClientDhInnerData {
        nonce: arr(NONCE),
        server_nonce: arr(SERVER_NONCE),
        retry_id: 0,
        g_b: zerotl::Bytes::new(&g_b),
    };
    let mut ours = vec![0u8; zerotl::Encode::encoded_len(&data)];
    zerotl::Encode::encode_to_slice(&data, &mut ours).unwrap();
    assert_eq!(plain[..20], sha1(&[&ours]));
    assert_eq!(plain[20..20 + ours.len()], ours[..]);

    // dh_gen_ok: new_nonce_hash1 from our AuthKey.
    let auth_key = AuthKey::from_bytes(arr(AUTH_KEY));
    let dh_gen = h(DH_GEN_OK);
    let enums::SetClientDhParamsAnswer::DhGenOk(ok) =
        enums::SetClientDhParamsAnswer::decode_from_slice(body_of(&dh_gen, 0x51E57ACEC5AA3001))
            .unwrap()
    else {
        panic!("dh_gen_ok expected");
    };
    assert_eq!(
        ok.new_nonce_hash1,
        auth_key.new_nonce_hash(&arr(NEW_NONCE), 1)
    );
    assert_ne!(
        ok.new_nonce_hash1,
        auth_key.new_nonce_hash(&arr(NEW_NONCE), 2)
    );
    // 311C85DB234AA264 XOR A5CF4D33F4A11EA8, worked out by hand from the docs formula.
    assert_eq!(
        initial_server_salt(&arr(NEW_NONCE), &arr(SERVER_NONCE)),
        i64::from_le_bytes(arr("94D3C8E8D7EBBCCC"))
    );
}

/// Our client, fed the 2013 sample with its `new_nonce`, produces the sample's
/// req_DH_params header, decrypts and authenticates the sample's answer, and
/// then refuses it: the sample's g = 2 with Telegram's prime (p mod 8 = 3) is
/// not a quadratic residue, which the docs' own check (p mod 8 = 7 for g = 2)
/// requires. TDLib refuses it the same way.
#[test]
fn old_sample_through_the_client_state_machine() {
    let mut rng = ScriptedRng::new(vec![h(NEW_NONCE)]);
    let (mut client, req_pq) =
        KeyExchangeClient::start_with_nonce(KeyExchangeConfig::telegram_production(2), arr(NONCE))
            .unwrap();
    assert_eq!(req_pq.len(), 20);
    let ClientStep::Send(req_dh) = client
        .handle(body_of(&h(OLD_RES_PQ), 0x51E57AC91E83C801), &mut rng)
        .unwrap()
    else {
        panic!("req_DH_params expected");
    };
    assert!(rng.all_used(), "new_nonce came from the script");
    let sample_head = h(REQ_DH_PARAMS_HEAD);
    assert_eq!(
        req_dh[..0x54 - 20],
        sample_head[20..],
        "ids, nonces, p, q, fingerprint, length"
    );
    assert_eq!(req_dh.len(), 320, "message_length of the sample");

    let mut message = h(SERVER_DH_OK_HEAD);
    message.extend_from_slice(&h(ENCRYPTED_ANSWER));
    let err = client
        .handle(body_of(&message, 0x51E57ACB36435401), &mut rng)
        .unwrap_err();
    assert_eq!(
        err,
        AuthError::Dh(DhError::GeneratorResidue {
            g: 2,
            modulus: 8,
            residue: 3
        })
    );
    assert!(client.is_finished());
}

#[test]
fn telegram_prime_accepts_g3_and_refuses_g2() {
    assert!(DhGroup::telegram(3).is_ok());
    assert!(DhGroup::telegram(4).is_ok());
    assert!(matches!(
        DhGroup::telegram(2),
        Err(DhError::GeneratorResidue { .. })
    ));
}
